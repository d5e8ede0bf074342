using System.Buffers.Binary;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// Row insert timestamps of a sealed segment (row i of every column file was inserted at Timestamps[i]), in the
/// <see cref="SectionFile"/> container with magic "VATS", version 1.
/// <code>
/// meta (32 bytes): i64 row count, u64 min timestamp, u64 max timestamp (both 0 when empty), u64 reserved zero
/// sections: [Values] row count u64 hybrid timestamps, little-endian
/// </code>
/// </summary>
public static class TimestampFile
{
    /// <summary>"VATS" read as a little-endian u32.</summary>
    public const uint Magic = 0x53544156;
    public const ushort FormatVersion = 1;
    internal const int MetaLength = 32;

    public static byte[] Write(ReadOnlySpan<ulong> timestamps)
    {
        SectionCodec.RequireLittleEndianHost();
        var (min, max) = MinMax(timestamps);
        ReadOnlySpan<(SectionKind, long)> sections = [(SectionKind.Values, SectionCodec.ByteLength<ulong>(timestamps.Length))];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        var meta = writer.Meta;
        BinaryPrimitives.WriteInt64LittleEndian(meta, timestamps.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[8..], min);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[16..], max);
        SectionCodec.Write(timestamps, writer.Section(0));
        return writer.Finish();
    }

    public static ulong[] Read(ReadOnlyMemory<byte> bytes)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, "timestamp file");
        var meta = file.Meta;
        long rows = BinaryPrimitives.ReadInt64LittleEndian(meta);
        ulong min = BinaryPrimitives.ReadUInt64LittleEndian(meta[8..]);
        ulong max = BinaryPrimitives.ReadUInt64LittleEndian(meta[16..]);
        if (rows is < 0 or > int.MaxValue)
            throw file.Fail($"row count {rows} is out of range");
        if (BinaryPrimitives.ReadUInt64LittleEndian(meta[24..]) != 0)
            throw file.Fail("non-zero reserved bytes");
        file.RequireSectionCount(1);
        var timestamps = SectionCodec.ReadArray<ulong>(file, file.Section(0, SectionKind.Values), rows, "timestamps");
        var (foundMin, foundMax) = MinMax(timestamps);
        if (foundMin != min || foundMax != max)
            throw file.Fail($"header min/max ({min}, {max}) disagree with the rows ({foundMin}, {foundMax})");
        return timestamps;
    }

    internal static (ulong Min, ulong Max) MinMax(ReadOnlySpan<ulong> timestamps)
    {
        if (timestamps.IsEmpty)
            return (0, 0);
        ulong min = ulong.MaxValue, max = 0;
        foreach (ulong t in timestamps)
        {
            if (t < min)
                min = t;
            if (t > max)
                max = t;
        }
        return (min, max);
    }
}
