using System.Buffers;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// A filter bound to a collection schema, ready to evaluate over column blocks. Immutable and thread-safe: all
/// per-call state lives in pooled scratch buffers.
/// </summary>
public sealed class BoundFilter
{
    private readonly FilterPredicate _root;

    internal BoundFilter(FilterPredicate root, CollectionSchema schema, string text)
    {
        _root = root;
        Schema = schema;
        Text = text;
    }

    public CollectionSchema Schema { get; }

    /// <summary>Canonical text of the bound expression (the parser's canonical form).</summary>
    public string Text { get; }

    /// <summary>
    /// Sets bit i (i &lt; RowCount) iff row i matches; every other bit of <paramref name="bits"/> is cleared.
    /// </summary>
    public void Evaluate(ColumnBlock block, Span<ulong> bits)
    {
        ArgumentNullException.ThrowIfNull(block);
        int rows = block.RowCount;
        int words = Column.ValidityWords(rows);
        if (bits.Length < words)
            throw new ArgumentException($"bitset has {bits.Length} words, {words} are needed for {rows} rows", nameof(bits));
        if (block.Columns.Length != Schema.Fields.Count)
            throw new ArgumentException("the block does not belong to the bound schema", nameof(block));
        bits.Clear();
        if (rows == 0)
            return;

        var ctx = new EvalContext(block, rows);
        ulong[] valid = ArrayPool<ulong>.Shared.Rent(words);
        try
        {
            var data = bits[..words];
            _root.Evaluate(ref ctx, data, valid.AsSpan(0, words));
            Bits.TrimTail(data, rows);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(valid);
            ctx.Dispose();
        }
    }

    public override string ToString() => Text;
}

/// <summary>Per-call evaluation state. Passed by ref; owns a lazily rented byte buffer for unescaping JSON strings.</summary>
internal struct EvalContext
{
    private byte[]? _scratch;

    public EvalContext(ColumnBlock block, int rows)
    {
        Block = block;
        Rows = rows;
        Words = Column.ValidityWords(rows);
    }

    public ColumnBlock Block { get; }
    public int Rows { get; }
    public int Words { get; }

    public byte[] Scratch(int minBytes)
    {
        if (_scratch is null || _scratch.Length < minBytes)
        {
            if (_scratch is not null)
                ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(minBytes, 256));
        }
        return _scratch;
    }

    public void Dispose()
    {
        if (_scratch is not null)
            ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = null;
    }
}

/// <summary>Word-level bitset helpers over spans.</summary>
internal static class Bits
{
    public static void TrimTail(Span<ulong> words, int rows)
    {
        int rem = rows & 63;
        if (rem != 0 && words.Length > 0)
            words[^1] &= (1UL << rem) - 1;
    }

    public static void SetAll(Span<ulong> words, int rows)
    {
        words.Fill(ulong.MaxValue);
        TrimTail(words, rows);
    }

    /// <summary>ANDs the column's validity (non-null rows) into <paramref name="words"/>.</summary>
    public static void AndValidity(Span<ulong> words, Column column)
    {
        var validity = column.Validity;
        if (validity is null)
            return;
        for (int i = 0; i < words.Length; i++)
            words[i] &= validity[i];
    }

    public static void Set(Span<ulong> words, int row) => words[row >> 6] |= 1UL << row;

    public static bool Get(ReadOnlySpan<ulong> words, int row) => (words[row >> 6] & (1UL << row)) != 0;
}
