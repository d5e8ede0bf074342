using System.Buffers.Binary;
using System.Globalization;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

/// <summary>
/// On-disk layout of a local WAL segment file, named <c>{firstLsn:D20}.wal</c>. All integers little-endian.
/// <code>
/// header (20 bytes)
///   [0..4)    magic "VAWL"
///   [4..6)    u16 format version (1)
///   [6..8)    u16 reserved, zero
///   [8..16)   i64 LSN of the first record (equals the number in the file name)
///   [16..20)  u32 CRC32C of bytes [0..16)
/// records, back to back
///   [0..4)    u32 payload length
///   [4..8)    u32 CRC32C of the 4 length bytes followed by the payload
///   [8..8+n)  payload
/// </code>
/// A record's LSN is the header's first LSN plus its index in the file; files of one channel are contiguous.
/// </summary>
internal static class WalSegmentFormat
{
    public const int HeaderSize = 20;
    public const int RecordHeaderSize = 8;
    public const ushort Version = 1;
    public const string Extension = ".wal";
    public const uint Magic = 0x4C574156; // "VAWL" read as little-endian u32

    public static string FileName(long firstLsn) => firstLsn.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseFileName(string fileName, out long firstLsn)
    {
        firstLsn = 0;
        return fileName.Length == 20 + Extension.Length
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstLsn);
    }

    public static void WriteHeader(Span<byte> destination, long firstLsn)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], firstLsn);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Crc32C.Compute(destination[..16]));
    }

    /// <summary>Null when the header is valid, else why not.</summary>
    public static string? CheckHeader(ReadOnlySpan<byte> header, long expectedFirstLsn)
    {
        if (header.Length < HeaderSize)
        {
            return $"header is {header.Length} bytes, expected {HeaderSize}";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            return "bad magic";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[16..]) != Crc32C.Compute(header[..16]))
        {
            return "header checksum mismatch";
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version != Version)
        {
            return $"unsupported format version {version}";
        }

        long firstLsn = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return firstLsn == expectedFirstLsn ? null : $"header says first LSN {firstLsn}, file name says {expectedFirstLsn}";
    }

    public static void WriteRecordHeader(Span<byte> destination, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payload.Length);
        uint crc = Crc32C.Append(Crc32C.Compute(destination[..4]), payload);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc);
    }
}
