using System.Runtime.CompilerServices;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Columns;

/// <summary>
/// Columnar storage for one field over a block of rows. A column has a fixed row capacity chosen at construction;
/// growing segments append into it (one writer), readers only look at rows below the block's published row count.
/// Arrays are never replaced under readers except <see cref="VarColumn"/>'s byte buffer, which is copied before the
/// new reference is published, so a reader holding the old buffer still sees every committed row.
/// </summary>
public abstract class Column
{
    private ulong[]? _validity;

    protected Column(DataType dataType, int capacity, bool nullable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        DataType = dataType;
        Capacity = capacity;
        if (nullable)
            _validity = new ulong[ValidityWords(capacity)];
    }

    /// <summary>Wraps fully written data (sealed segments): Count = Capacity = <paramref name="count"/>.</summary>
    protected Column(DataType dataType, int count, ulong[]? validity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (validity is not null && validity.Length < ValidityWords(count))
            throw new ArgumentException("validity bitmap is shorter than the row count", nameof(validity));
        DataType = dataType;
        Capacity = count;
        Count = count;
        _validity = validity;
    }

    public static int ValidityWords(int rows) => (rows + 63) >> 6;

    public DataType DataType { get; }

    public int Capacity { get; }

    /// <summary>Rows written so far (the block's published count may be lower while a write is in flight).</summary>
    public int Count { get; protected set; }

    /// <summary>Validity bits (bit set = value present) or null when the field is not nullable.</summary>
    public ulong[]? Validity => _validity;

    public bool IsNullable => _validity is not null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsNull(int row) => _validity is not null && (_validity[row >> 6] & (1UL << row)) == 0;

    /// <summary>Appends a null (the column must be nullable); the stored value is the type's zero.</summary>
    public abstract void AppendNull();

    protected void MarkValid(int row)
    {
        if (_validity is not null)
            _validity[row >> 6] |= 1UL << row;
    }

    protected void EnsureRoom()
    {
        if (Count >= Capacity)
            throw new InvalidOperationException($"column is full ({Capacity} rows)");
    }

    protected void RequireNullable()
    {
        if (_validity is null)
            throw new InvalidOperationException("column is not nullable");
    }

    /// <summary>Bytes held by this column (for memory accounting).</summary>
    public abstract long MemoryBytes { get; }

    protected long ValidityBytes => _validity is null ? 0 : (long)_validity.Length * sizeof(ulong);
}
