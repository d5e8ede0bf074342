using VectorAspire.Core.Indexes;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Columns;

/// <summary>
/// Dense float32 vectors, row-major: row i is Values[i*Dim .. (i+1)*Dim).
/// <para>A sealed column is backed either by its own array or, while a loaded index owns bit-exact copies of the
/// vectors (<see cref="IVectorIndex.HasRawVectors"/>), by that index: the segment then holds the vectors once, like
/// Milvus when an index "has raw data". A column never changes backing; the sealed segment swaps one column for the
/// other. <see cref="CopyRows"/> reads either backing; the span accessors (<see cref="Row"/>, <see cref="Values"/>,
/// <see cref="RawValues"/>) need the array and throw on an index-backed column, because a span into an index's
/// native memory would not keep the index alive.</para>
/// </summary>
public sealed class VectorColumn : Column
{
    private readonly float[]? _values;
    private readonly IVectorIndex? _index;

    public VectorColumn(DataType dataType, int dim, int capacity, bool nullable)
        : base(dataType, capacity, nullable)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        Dim = dim;
        _values = new float[checked((long)dim * capacity) is var n and <= int.MaxValue ? (int)n : throw new ArgumentOutOfRangeException(nameof(capacity))];
    }

    /// <summary>Wraps fully written vectors (sealed segments).</summary>
    public VectorColumn(DataType dataType, int dim, float[] values, int count, ulong[]? validity)
        : base(dataType, count, validity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if ((long)values.Length < (long)dim * count)
            throw new ArgumentException("fewer values than rows x dim", nameof(values));
        Dim = dim;
        _values = values;
    }

    private VectorColumn(DataType dataType, IVectorIndex index, ulong[]? validity)
        : base(dataType, index.Count, validity)
    {
        Dim = index.Dim;
        _index = index;
    }

    /// <summary>
    /// A column with the rows and validity of <paramref name="rows"/> whose vectors are read from
    /// <paramref name="index"/>, which must hold them bit for bit (the caller checked that it was built from them).
    /// </summary>
    public static VectorColumn FromIndex(VectorColumn rows, IVectorIndex index)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(index);
        if (!index.HasRawVectors)
            throw new ArgumentException($"a {index.IndexType} index on {index.Metric} does not hold the original vectors", nameof(index));
        if (index.Dim != rows.Dim || index.Count != rows.Count)
            throw new ArgumentException($"index covers {index.Count} x {index.Dim}, the column holds {rows.Count} x {rows.Dim}", nameof(index));
        return new VectorColumn(rows.DataType, index, rows.Validity);
    }

    public int Dim { get; }

    /// <summary>True when the vectors are read from a loaded index instead of the column's own array.</summary>
    public bool IsIndexBacked => _index is not null;

    public ReadOnlySpan<float> Row(int row) => Array.AsSpan(row * Dim, Dim);

    /// <summary>All written rows as one contiguous span (Count x Dim).</summary>
    public ReadOnlySpan<float> Values => Array.AsSpan(0, Count * Dim);

    public float[] RawValues => Array;

    private float[] Array => _values ?? throw new InvalidOperationException(
        "the column's vectors are held by its loaded index; read them with CopyRows or use ToArrayBacked");

    /// <summary>Copies rows <paramref name="firstRow"/> .. firstRow + dest.Length / Dim - 1 into <paramref name="dest"/>.</summary>
    public void CopyRows(int firstRow, Span<float> dest)
    {
        if (_index is not null)
            _index.CopyVectors(firstRow, dest);
        else
            _values.AsSpan(firstRow * Dim, dest.Length).CopyTo(dest);
    }

    /// <summary>This column if it owns its array, else an array-backed copy read out of the index.</summary>
    public VectorColumn ToArrayBacked()
    {
        if (_index is null)
            return this;
        var values = new float[(long)Count * Dim];
        _index.CopyVectors(0, values);
        return new VectorColumn(DataType, Dim, values, Count, Validity);
    }

    public void Append(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dim)
            throw new ArgumentException($"vector has {vector.Length} values, column dim is {Dim}", nameof(vector));
        EnsureRoom();
        vector.CopyTo(_values.AsSpan(Count * Dim));
        MarkValid(Count);
        Count++;
    }

    /// <summary>Appends rows <paramref name="start"/> .. start + count - 1 of <paramref name="src"/> (either backing),
    /// nulls included; non-nullable sources in one copy.</summary>
    public void AppendRows(VectorColumn src, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(src);
        if (src.Dim != Dim)
            throw new ArgumentException($"source dim is {src.Dim}, column dim is {Dim}", nameof(src));
        if (Count + count > Capacity)
            throw new InvalidOperationException($"column is full ({Capacity} rows)");
        if (!src.IsNullable)
        {
            src.CopyRows(start, _values.AsSpan(Count * Dim, count * Dim));
            if (IsNullable)
            {
                for (int i = 0; i < count; i++)
                    MarkValid(Count + i);
            }
            Count += count;
            return;
        }
        for (int i = start; i < start + count; i++)
        {
            if (src.IsNull(i))
            {
                AppendNull();
                continue;
            }
            src.CopyRows(i, _values.AsSpan(Count * Dim, Dim));
            MarkValid(Count);
            Count++;
        }
    }

    public override void AppendNull()
    {
        RequireNullable();
        EnsureRoom();
        _values.AsSpan(Count * Dim, Dim).Clear();
        Count++;
    }

    /// <summary>The array and validity; an index-backed column's vectors are counted in the index's memory.</summary>
    public override long MemoryBytes => ((long)(_values?.Length ?? 0) * sizeof(float)) + ValidityBytes;
}
