using System.Numerics;
using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Columns;

/// <summary>A fixed-length bitset over rows (bit set = row selected). Words beyond Length are kept zero.</summary>
public sealed class Bitset
{
    private readonly ulong[] _words;

    public Bitset(int length, bool allSet = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _words = new ulong[(length + 63) >> 6];
        if (allSet)
            SetAll();
    }

    public int Length { get; }

    public Span<ulong> Words => _words;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Get(int i) => (_words[i >> 6] & (1UL << i)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i) => _words[i >> 6] |= 1UL << i;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(int i) => _words[i >> 6] &= ~(1UL << i);

    public void SetAll()
    {
        _words.AsSpan().Fill(ulong.MaxValue);
        TrimTail();
    }

    public void ClearAll() => _words.AsSpan().Clear();

    public void And(Bitset other)
    {
        RequireSameLength(other);
        for (int i = 0; i < _words.Length; i++)
            _words[i] &= other._words[i];
    }

    public void Or(Bitset other)
    {
        RequireSameLength(other);
        for (int i = 0; i < _words.Length; i++)
            _words[i] |= other._words[i];
    }

    public void AndNot(Bitset other)
    {
        RequireSameLength(other);
        for (int i = 0; i < _words.Length; i++)
            _words[i] &= ~other._words[i];
    }

    public void Not()
    {
        for (int i = 0; i < _words.Length; i++)
            _words[i] = ~_words[i];
        TrimTail();
    }

    public int PopCount()
    {
        int n = 0;
        foreach (var w in _words)
            n += BitOperations.PopCount(w);
        return n;
    }

    /// <summary>Index of the next set bit at or after <paramref name="from"/>, or -1.</summary>
    public int NextSetBit(int from)
    {
        if (from >= Length)
            return -1;
        int wi = from >> 6;
        ulong w = _words[wi] & (ulong.MaxValue << from);
        while (true)
        {
            if (w != 0)
                return (wi << 6) + BitOperations.TrailingZeroCount(w);
            if (++wi >= _words.Length)
                return -1;
            w = _words[wi];
        }
    }

    private void TrimTail()
    {
        int rem = Length & 63;
        if (rem != 0)
            _words[^1] &= (1UL << rem) - 1;
    }

    private void RequireSameLength(Bitset other)
    {
        if (other.Length != Length)
            throw new ArgumentException($"bitset lengths differ ({Length} vs {other.Length})", nameof(other));
    }
}
