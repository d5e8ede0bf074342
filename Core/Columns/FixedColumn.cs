using System.Runtime.CompilerServices;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Columns;

/// <summary>Fixed-width scalar column: Bool (as bool), Int8..Int64, Float, Double.</summary>
public sealed class FixedColumn<T> : Column where T : unmanaged
{
    private readonly T[] _values;

    public FixedColumn(DataType dataType, int capacity, bool nullable)
        : base(dataType, capacity, nullable)
    {
        _values = new T[capacity];
    }

    /// <summary>Wraps fully written values (sealed segments). <paramref name="validity"/> null = not nullable.</summary>
    public FixedColumn(DataType dataType, T[] values, int count, ulong[]? validity)
        : base(dataType, count, validity)
    {
        if (values.Length < count)
            throw new ArgumentException("fewer values than rows", nameof(values));
        _values = values;
    }

    public ReadOnlySpan<T> Values => _values.AsSpan(0, Count);

    /// <summary>The backing array; rows at or past <see cref="Column.Count"/> are unspecified.</summary>
    public T[] RawValues => _values;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int row) => _values[row];

    public void Append(T value)
    {
        EnsureRoom();
        _values[Count] = value;
        MarkValid(Count);
        Count++;
    }

    /// <summary>Appends non-null values in one copy.</summary>
    public void AppendRange(ReadOnlySpan<T> values)
    {
        if (Count + values.Length > Capacity)
            throw new InvalidOperationException($"column is full ({Capacity} rows)");
        values.CopyTo(_values.AsSpan(Count));
        if (IsNullable)
        {
            for (int i = 0; i < values.Length; i++)
                MarkValid(Count + i);
        }
        Count += values.Length;
    }

    public override void AppendNull()
    {
        RequireNullable();
        EnsureRoom();
        _values[Count] = default;
        Count++;
    }

    public override long MemoryBytes => (long)_values.Length * Unsafe.SizeOf<T>() + ValidityBytes;
}
