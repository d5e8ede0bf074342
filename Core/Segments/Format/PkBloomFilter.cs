using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// Bloom filter over a segment's primary keys (Int64 or VarChar UTF-8), so a delete or upsert touches only segments
/// that might hold the key. Bit positions come from double hashing (Kirsch–Mitzenmacher) over one XXH64 hash:
/// g_i = h1 + i*h2 (mod 2^64) mapped to [0, m) by a 128-bit multiply, h1 = XXH64(key), h2 = Mix(h1) | 1.
/// <para>Serialized in the <see cref="SectionFile"/> container, magic "VABF", version 1:</para>
/// <code>
/// meta (32 bytes): u16 key data type (Int64 = 5 / VarChar = 21), u16 hash scheme (1 = the one above),
///                  u32 hash count k, u64 bit count m (a positive multiple of 64), i64 keys added, u64 reserved zero
/// sections: [Values] m/64 u64 words, bit j of the filter = word j/64, bit j%64
/// </code>
/// </summary>
public sealed class PkBloomFilter
{
    /// <summary>"VABF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46424156;
    public const ushort FormatVersion = 1;
    public const double DefaultFalsePositiveRate = 0.001;
    internal const int MetaLength = 32;
    internal const ushort HashScheme = 1;
    internal const int MaxHashCount = 30;

    private readonly ulong[] _words;

    /// <summary>Sizes the filter for <paramref name="expectedCount"/> keys at <paramref name="falsePositiveRate"/>.</summary>
    public PkBloomFilter(DataType keyType, long expectedCount, double falsePositiveRate = DefaultFalsePositiveRate)
    {
        RequireKeyType(keyType);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedCount);
        if (!(falsePositiveRate > 0 && falsePositiveRate < 1))
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), "must be in (0, 1)");
        long n = Math.Max(1, expectedCount);
        double ln2 = Math.Log(2);
        double bits = Math.Ceiling(-n * Math.Log(falsePositiveRate) / (ln2 * ln2));
        long words = Math.Max(1, (long)Math.Ceiling(bits / 64));
        if (words > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(expectedCount), "bloom filter would be too large");
        _words = new ulong[words];
        BitCount = (ulong)words * 64;
        HashCount = (int)Math.Clamp(Math.Round(BitCount / (double)n * ln2), 1, MaxHashCount);
        KeyType = keyType;
    }

    private PkBloomFilter(DataType keyType, ulong[] words, int hashCount, long count)
    {
        KeyType = keyType;
        _words = words;
        BitCount = (ulong)words.Length * 64;
        HashCount = hashCount;
        Count = count;
    }

    public DataType KeyType { get; }

    public ulong BitCount { get; }

    public int HashCount { get; }

    /// <summary>Keys added (duplicates counted).</summary>
    public long Count { get; private set; }

    public long MemoryBytes => (long)_words.Length * sizeof(ulong);

    public void Add(long key)
    {
        RequireKeyType(DataType.Int64, "Add(long)");
        Set(KeyHash.Hash64(key));
    }

    public void Add(ReadOnlySpan<byte> utf8Key)
    {
        RequireKeyType(DataType.VarChar, "Add(utf8)");
        Set(KeyHash.Hash64(utf8Key));
    }

    /// <summary>False means the key is certainly absent; true means it may be present.</summary>
    public bool MightContain(long key)
    {
        RequireKeyType(DataType.Int64, "MightContain(long)");
        return Test(KeyHash.Hash64(key));
    }

    public bool MightContain(ReadOnlySpan<byte> utf8Key)
    {
        RequireKeyType(DataType.VarChar, "MightContain(utf8)");
        return Test(KeyHash.Hash64(utf8Key));
    }

    public byte[] Serialize()
    {
        SectionCodec.RequireLittleEndianHost();
        ReadOnlySpan<(SectionKind, long)> sections = [(SectionKind.Values, SectionCodec.ByteLength<ulong>(_words.Length))];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        var meta = writer.Meta;
        BinaryPrimitives.WriteUInt16LittleEndian(meta, (ushort)KeyType);
        BinaryPrimitives.WriteUInt16LittleEndian(meta[2..], HashScheme);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[4..], (uint)HashCount);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[8..], BitCount);
        BinaryPrimitives.WriteInt64LittleEndian(meta[16..], Count);
        SectionCodec.Write<ulong>(_words, writer.Section(0));
        return writer.Finish();
    }

    public static PkBloomFilter Deserialize(ReadOnlyMemory<byte> bytes)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, "pk bloom filter");
        var meta = file.Meta;
        var keyType = (DataType)BinaryPrimitives.ReadUInt16LittleEndian(meta);
        ushort scheme = BinaryPrimitives.ReadUInt16LittleEndian(meta[2..]);
        uint hashCount = BinaryPrimitives.ReadUInt32LittleEndian(meta[4..]);
        ulong bitCount = BinaryPrimitives.ReadUInt64LittleEndian(meta[8..]);
        long count = BinaryPrimitives.ReadInt64LittleEndian(meta[16..]);
        if (keyType is not (DataType.Int64 or DataType.VarChar))
            throw file.Fail($"key type {keyType} is not Int64 or VarChar");
        if (scheme != HashScheme)
            throw file.Fail($"unknown hash scheme {scheme}");
        if (hashCount is < 1 or > MaxHashCount)
            throw file.Fail($"hash count {hashCount} is out of range");
        if (bitCount == 0 || bitCount % 64 != 0 || bitCount / 64 > (ulong)Array.MaxLength)
            throw file.Fail($"bit count {bitCount} is not a positive multiple of 64");
        if (count < 0 || BinaryPrimitives.ReadUInt64LittleEndian(meta[24..]) != 0)
            throw file.Fail("negative key count or non-zero reserved bytes");
        file.RequireSectionCount(1);
        var words = SectionCodec.ReadArray<ulong>(file, file.Section(0, SectionKind.Values), (long)(bitCount / 64), "bloom words");
        return new PkBloomFilter(keyType, words, (int)hashCount, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Set(ulong hash)
    {
        ulong h1 = hash;
        ulong h2 = SecondHash(hash);
        var words = _words;
        ulong m = BitCount;
        for (int i = 0; i < HashCount; i++)
        {
            ulong bit = Math.BigMul(h1, m, out _);
            words[bit >> 6] |= 1UL << (int)(bit & 63);
            h1 += h2;
        }
        Count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Test(ulong hash)
    {
        ulong h1 = hash;
        ulong h2 = SecondHash(hash);
        var words = _words;
        ulong m = BitCount;
        for (int i = 0; i < HashCount; i++)
        {
            ulong bit = Math.BigMul(h1, m, out _);
            if ((words[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
                return false;
            h1 += h2;
        }
        return true;
    }

    /// <summary>A second, independent-looking stream from the same hash (SplitMix64 finalizer), forced odd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SecondHash(ulong h)
    {
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB;
        return (h ^ (h >> 31)) | 1;
    }

    private static void RequireKeyType(DataType keyType)
    {
        if (keyType is not (DataType.Int64 or DataType.VarChar))
            throw new ArgumentException($"primary keys are Int64 or VarChar, not {keyType}", nameof(keyType));
    }

    private void RequireKeyType(DataType expected, string operation)
    {
        if (KeyType != expected)
            throw new InvalidOperationException($"{operation} on a bloom filter of {KeyType} keys");
    }
}
