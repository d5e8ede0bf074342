using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Columns;

/// <summary>
/// Variable-length column: VarChar (UTF-8 bytes), JSON (UTF-8 JSON text) and Array (UTF-8 JSON array text).
/// Row i occupies Data[Offsets[i]..Offsets[i+1]).
/// </summary>
public sealed class VarColumn : Column
{
    private byte[] _data;
    private readonly int[] _offsets;

    public VarColumn(DataType dataType, int capacity, bool nullable, int initialDataBytes = 256)
        : base(dataType, capacity, nullable)
    {
        _data = new byte[Math.Max(16, initialDataBytes)];
        _offsets = new int[capacity + 1];
    }

    /// <summary>Wraps fully written data (sealed segments). <paramref name="offsets"/> has count+1 entries.</summary>
    public VarColumn(DataType dataType, byte[] data, int[] offsets, int count, ulong[]? validity)
        : base(dataType, count, validity)
    {
        if (offsets.Length < count + 1)
            throw new ArgumentException("offsets must have count+1 entries", nameof(offsets));
        if (offsets[count] > data.Length)
            throw new ArgumentException("offsets point past the data", nameof(offsets));
        _data = data;
        _offsets = offsets;
    }

    public ReadOnlySpan<byte> Get(int row)
    {
        var offsets = _offsets;
        int start = offsets[row];
        return _data.AsSpan(start, offsets[row + 1] - start);
    }

    /// <summary>Bytes of all rows, and the offsets (Count+1 entries).</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _offsets[Count]);

    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, Count + 1);

    public void Append(ReadOnlySpan<byte> value)
    {
        EnsureRoom();
        int start = _offsets[Count];
        int end = start + value.Length;
        if (end > _data.Length)
        {
            // Growth by 1.5x keeps the slack within the memory budget; the copy happens before the new buffer is
            // published, so concurrent readers of committed rows see the same bytes either way.
            var grown = new byte[Math.Max(end, _data.Length + (_data.Length >> 1))];
            _data.AsSpan(0, start).CopyTo(grown);
            _data = grown;
        }
        value.CopyTo(_data.AsSpan(start));
        _offsets[Count + 1] = end;
        MarkValid(Count);
        Count++;
    }

    public override void AppendNull()
    {
        RequireNullable();
        EnsureRoom();
        _offsets[Count + 1] = _offsets[Count];
        Count++;
    }

    public override long MemoryBytes => _data.Length + (long)_offsets.Length * sizeof(int) + ValidityBytes;
}
