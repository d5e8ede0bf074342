using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Columns;

/// <summary>Dense float32 vectors, row-major: row i is Values[i*Dim .. (i+1)*Dim).</summary>
public sealed class VectorColumn : Column
{
    private readonly float[] _values;

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

    public int Dim { get; }

    public ReadOnlySpan<float> Row(int row) => _values.AsSpan(row * Dim, Dim);

    /// <summary>All written rows as one contiguous span (Count x Dim).</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, Count * Dim);

    public float[] RawValues => _values;

    public void Append(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dim)
            throw new ArgumentException($"vector has {vector.Length} values, column dim is {Dim}", nameof(vector));
        EnsureRoom();
        vector.CopyTo(_values.AsSpan(Count * Dim));
        MarkValid(Count);
        Count++;
    }

    public override void AppendNull()
    {
        RequireNullable();
        EnsureRoom();
        _values.AsSpan(Count * Dim, Dim).Clear();
        Count++;
    }

    public override long MemoryBytes => (long)_values.Length * sizeof(float) + ValidityBytes;
}
