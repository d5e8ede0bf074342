using System.Buffers.Binary;
using System.Globalization;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

/// <summary>
/// Layout of one immutable fragment object of <see cref="ObjectStoreWal"/>: a group-committed run of consecutive
/// records, named <c>{firstLsn:D20}-{epoch:D10}.frag</c> under the channel's prefix (the epoch in the name keeps a
/// fenced writer's late upload from ever replacing the current owner's object). All integers little-endian.
/// <code>
/// header (32 bytes)
///   [0..4)    magic "VAWF"
///   [4..6)    u16 format version (1)
///   [6..8)    u16 reserved, zero
///   [8..16)   i64 LSN of the first record
///   [16..20)  i32 record count (≥ 1)
///   [20..28)  i64 writer epoch
///   [28..32)  u32 CRC32C of bytes [0..28)
/// records, back to back (the local WAL's record framing)
///   [0..4)    u32 payload length
///   [4..8)    u32 CRC32C of the 4 length bytes followed by the payload
///   [8..8+n)  payload
/// trailer (4 bytes)
///   u32 CRC32C of every byte before it
/// </code>
/// The catalog entry of a fragment (see <see cref="WalFragmentRef"/>) also records the object's size and trailer CRC,
/// so a reader detects a missing, truncated or replaced object before returning any record from it.
/// </summary>
internal static class WalFragmentFormat
{
    public const int HeaderSize = 32;
    public const int TrailerSize = 4;
    public const ushort Version = 1;
    public const uint Magic = 0x46574156; // "VAWF" read as little-endian u32
    public const string Extension = ".frag";

    public static string ObjectName(long firstLsn, long epoch) =>
        firstLsn.ToString("D20", CultureInfo.InvariantCulture) + "-" + epoch.ToString("D10", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseObjectName(ReadOnlySpan<char> name, out long firstLsn, out long epoch)
    {
        firstLsn = 0;
        epoch = 0;
        return name.Length == 20 + 1 + 10 + Extension.Length
            && name[20] == '-'
            && name.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(name[..20], NumberStyles.None, CultureInfo.InvariantCulture, out firstLsn)
            && long.TryParse(name.Slice(21, 10), NumberStyles.None, CultureInfo.InvariantCulture, out epoch);
    }

    public static int EncodedSize(long payloadBytes, int count)
    {
        long size = HeaderSize + TrailerSize + payloadBytes + ((long)count * WalSegmentFormat.RecordHeaderSize);
        return size <= Array.MaxLength ? (int)size : throw new ArgumentOutOfRangeException(nameof(payloadBytes), "fragment too large");
    }

    public static void WriteHeader(Span<byte> destination, long firstLsn, int count, long epoch)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], firstLsn);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], count);
        BinaryPrimitives.WriteInt64LittleEndian(destination[20..], epoch);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Writes the trailer over <paramref name="fragment"/>'s last 4 bytes; returns the CRC it wrote.</summary>
    public static uint WriteTrailer(Span<byte> fragment)
    {
        uint crc = Crc32C.Compute(fragment[..^TrailerSize]);
        BinaryPrimitives.WriteUInt32LittleEndian(fragment[^TrailerSize..], crc);
        return crc;
    }

    /// <summary>
    /// Checks a whole fragment (size, trailer CRC, header) against its catalog entry; throws
    /// <see cref="WalCorruptedException"/> on any mismatch. Records are checked one by one by <see cref="ReadRecord"/>.
    /// </summary>
    public static void Validate(string objectKey, ReadOnlySpan<byte> fragment, in WalFragmentRef expected)
    {
        if (fragment.Length != expected.Bytes)
        {
            throw Corrupt(objectKey, $"is {fragment.Length} bytes, the log recorded {expected.Bytes}");
        }

        if (fragment.Length < HeaderSize + TrailerSize)
        {
            throw Corrupt(objectKey, "is shorter than a fragment header");
        }

        uint trailer = BinaryPrimitives.ReadUInt32LittleEndian(fragment[^TrailerSize..]);
        if (trailer != expected.Crc || Crc32C.Compute(fragment[..^TrailerSize]) != trailer)
        {
            throw Corrupt(objectKey, "fails its checksum");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(fragment) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(fragment[4..]) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(fragment[28..]) != Crc32C.Compute(fragment[..28]))
        {
            throw Corrupt(objectKey, "has a bad header");
        }

        if (BinaryPrimitives.ReadInt64LittleEndian(fragment[8..]) != expected.FirstLsn
            || BinaryPrimitives.ReadInt32LittleEndian(fragment[16..]) != expected.Count
            || BinaryPrimitives.ReadInt64LittleEndian(fragment[20..]) != expected.Epoch)
        {
            throw Corrupt(objectKey, "holds other records than the log recorded");
        }
    }

    /// <summary>Reads the record at <paramref name="offset"/> (already validated as a whole); returns the next offset.</summary>
    public static int ReadRecord(string objectKey, ReadOnlySpan<byte> fragment, int offset, out int payloadOffset, out int payloadLength)
    {
        int end = fragment.Length - TrailerSize;
        if (offset + WalSegmentFormat.RecordHeaderSize > end)
        {
            throw Corrupt(objectKey, $"ends inside a record header at byte {offset}");
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(fragment[offset..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(fragment[(offset + 4)..]);
        payloadOffset = offset + WalSegmentFormat.RecordHeaderSize;
        if (length > (uint)(end - payloadOffset))
        {
            throw Corrupt(objectKey, $"has a record at byte {offset} longer than the fragment");
        }

        payloadLength = (int)length;
        uint actual = Crc32C.Append(Crc32C.Compute(fragment.Slice(offset, 4)), fragment.Slice(payloadOffset, payloadLength));
        if (actual != crc)
        {
            throw Corrupt(objectKey, $"has a record at byte {offset} that fails its checksum");
        }

        return payloadOffset + payloadLength;
    }

    private static WalCorruptedException Corrupt(string objectKey, string what) =>
        new($"WAL fragment '{objectKey}' {what}: acknowledged records may be damaged; restore the object store from a backup");
}

/// <summary>
/// The meta store's entry for one committed fragment: which records it holds and what the object must look like.
/// Encoded as 36 bytes: u8 version (1), 3 reserved, i64 first LSN, i32 count, i64 epoch, i64 object bytes, u32 CRC.
/// </summary>
internal readonly record struct WalFragmentRef(long FirstLsn, int Count, long Epoch, long Bytes, uint Crc)
{
    public const int EncodedSize = 36;

    public long EndLsn => FirstLsn + Count;

    public byte[] Encode()
    {
        byte[] b = new byte[EncodedSize];
        b[0] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(4), FirstLsn);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), Count);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(24), Bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(32), Crc);
        return b;
    }

    public static WalFragmentRef Decode(string key, ReadOnlySpan<byte> b)
    {
        if (b.Length != EncodedSize || b[0] != 1)
        {
            throw new WalCorruptedException($"WAL fragment entry '{key}' is not a version-1 entry of {EncodedSize} bytes");
        }

        var r = new WalFragmentRef(
            BinaryPrimitives.ReadInt64LittleEndian(b[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[32..]));
        return r.Count > 0 && r.FirstLsn >= 0 ? r : throw new WalCorruptedException($"WAL fragment entry '{key}' is invalid");
    }
}
