using System.Buffers.Binary;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// <see cref="SegmentStats"/> in the <see cref="SectionFile"/> container with magic "VAST", version 1.
/// <code>
/// meta (32 bytes): i64 row count, i64 pk field id (-1 = none), u32 field count, u32 flags (bit 0 = has bloom),
///                  u64 reserved zero
/// sections
/// [Records] field count x 40 bytes:
///     0 i64 field id, 8 u16 data type, 10 u16 min/max kind (0 none, 1 Int64, 2 Double, 3 Bytes), 12 u32 reserved 0,
///     16 i64 null count, 24 u64 min, 32 u64 max
///     Int64: two's complement values; Double: IEEE-754 bits; Bytes: (u32 offset | u32 length &lt;&lt; 32) into Strings;
///     None: both zero
/// [Strings] UTF-8 bytes referenced by Bytes records
/// [Bloom]   a whole serialized <see cref="PkBloomFilter"/> ("VABF" file), empty when flags bit 0 is clear
/// </code>
/// </summary>
public static class SegmentStatsFile
{
    /// <summary>"VAST" read as a little-endian u32.</summary>
    public const uint Magic = 0x54534156;
    public const ushort FormatVersion = 1;
    internal const int MetaLength = 32;
    internal const int RecordBytes = 40;
    private const uint HasBloomFlag = 1;

    public static byte[] Write(SegmentStats stats)
    {
        SectionCodec.RequireLittleEndianHost();
        long stringBytes = 0;
        foreach (var f in stats.Fields)
        {
            if (f.Kind == MinMaxKind.Bytes)
                stringBytes += f.MinBytes.Length + f.MaxBytes.Length;
        }
        var bloom = stats.PkFilter?.Serialize() ?? [];
        ReadOnlySpan<(SectionKind, long)> sections =
        [
            (SectionKind.Records, (long)stats.Fields.Count * RecordBytes),
            (SectionKind.Strings, stringBytes),
            (SectionKind.Bloom, bloom.Length),
        ];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        var meta = writer.Meta;
        BinaryPrimitives.WriteInt64LittleEndian(meta, stats.RowCount);
        BinaryPrimitives.WriteInt64LittleEndian(meta[8..], stats.PkFieldId);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[16..], (uint)stats.Fields.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[20..], stats.PkFilter is null ? 0 : HasBloomFlag);

        var records = writer.Section(0);
        var strings = writer.Section(1);
        int stringPos = 0;
        for (int i = 0; i < stats.Fields.Count; i++)
        {
            var f = stats.Fields[i];
            var record = records.Slice(i * RecordBytes, RecordBytes);
            BinaryPrimitives.WriteInt64LittleEndian(record, f.FieldId);
            BinaryPrimitives.WriteUInt16LittleEndian(record[8..], (ushort)f.DataType);
            BinaryPrimitives.WriteUInt16LittleEndian(record[10..], (ushort)f.Kind);
            BinaryPrimitives.WriteInt64LittleEndian(record[16..], f.NullCount);
            (ulong min, ulong max) = f.Kind switch
            {
                MinMaxKind.Int64 => ((ulong)f.MinInt64, (ulong)f.MaxInt64),
                MinMaxKind.Double => ((ulong)BitConverter.DoubleToInt64Bits(f.MinDouble), (ulong)BitConverter.DoubleToInt64Bits(f.MaxDouble)),
                MinMaxKind.Bytes => (PutString(f.MinBytes.Span, strings, ref stringPos), PutString(f.MaxBytes.Span, strings, ref stringPos)),
                _ => (0UL, 0UL),
            };
            BinaryPrimitives.WriteUInt64LittleEndian(record[24..], min);
            BinaryPrimitives.WriteUInt64LittleEndian(record[32..], max);
        }
        bloom.CopyTo(writer.Section(2));
        return writer.Finish();
    }

    public static SegmentStats Read(ReadOnlyMemory<byte> bytes)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, "stats file");
        var meta = file.Meta;
        long rowCount = BinaryPrimitives.ReadInt64LittleEndian(meta);
        long pkFieldId = BinaryPrimitives.ReadInt64LittleEndian(meta[8..]);
        uint fieldCount = BinaryPrimitives.ReadUInt32LittleEndian(meta[16..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(meta[20..]);
        if (rowCount is < 0 or > int.MaxValue)
            throw file.Fail($"row count {rowCount} is out of range");
        if ((flags & ~HasBloomFlag) != 0 || BinaryPrimitives.ReadUInt64LittleEndian(meta[24..]) != 0)
            throw file.Fail($"unknown flags 0x{flags:X8} or non-zero reserved bytes");
        file.RequireSectionCount(3);
        var records = file.Section(0, SectionKind.Records).Span;
        if (records.Length != (long)fieldCount * RecordBytes)
            throw file.Fail($"records section is {records.Length} bytes, expected {fieldCount} x {RecordBytes}");
        var strings = file.Section(1, SectionKind.Strings);
        var fields = new FieldStats[fieldCount];
        long stringsUsed = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            var record = records.Slice(i * RecordBytes, RecordBytes);
            long fieldId = BinaryPrimitives.ReadInt64LittleEndian(record);
            var dataType = (DataType)BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            var kind = (MinMaxKind)BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
            long nulls = BinaryPrimitives.ReadInt64LittleEndian(record[16..]);
            ulong min = BinaryPrimitives.ReadUInt64LittleEndian(record[24..]);
            ulong max = BinaryPrimitives.ReadUInt64LittleEndian(record[32..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record[12..]) != 0)
                throw file.Fail($"record {i} has non-zero reserved bytes");
            if (nulls < 0 || nulls > rowCount)
                throw file.Fail($"record {i} has null count {nulls} for {rowCount} rows");
            fields[i] = kind switch
            {
                MinMaxKind.None when min == 0 && max == 0 => new FieldStats(fieldId, dataType, nulls),
                MinMaxKind.Int64 => FieldStats.WithInt64(fieldId, dataType, nulls, (long)min, (long)max),
                MinMaxKind.Double => FieldStats.WithDouble(fieldId, dataType, nulls, BitConverter.Int64BitsToDouble((long)min), BitConverter.Int64BitsToDouble((long)max)),
                MinMaxKind.Bytes => FieldStats.WithBytes(fieldId, dataType, nulls,
                    GetString(file, strings, min, ref stringsUsed), GetString(file, strings, max, ref stringsUsed)),
                _ => throw file.Fail($"record {i} has unknown min/max kind {(ushort)kind}"),
            };
        }
        if (stringsUsed != strings.Length)
            throw file.Fail($"strings section holds {strings.Length} bytes, records use {stringsUsed}");
        var bloomSection = file.Section(2, SectionKind.Bloom);
        PkBloomFilter? filter = null;
        if ((flags & HasBloomFlag) != 0)
        {
            try
            {
                filter = PkBloomFilter.Deserialize(bloomSection);
            }
            catch (SegmentFormatException ex)
            {
                throw new SegmentFormatException($"{file.What}: embedded {ex.Message}", ex);
            }
        }
        else if (bloomSection.Length != 0)
        {
            throw file.Fail("bloom section present but the flag says none");
        }
        return new SegmentStats(rowCount, pkFieldId, fields, filter);
    }

    private static ulong PutString(ReadOnlySpan<byte> value, Span<byte> strings, ref int position)
    {
        value.CopyTo(strings[position..]);
        ulong reference = (uint)position | ((ulong)(uint)value.Length << 32);
        position += value.Length;
        return reference;
    }

    private static ReadOnlyMemory<byte> GetString(SectionFileReader file, ReadOnlyMemory<byte> strings, ulong reference, ref long used)
    {
        uint offset = (uint)reference;
        uint length = (uint)(reference >> 32);
        if ((ulong)offset + length > (ulong)strings.Length)
            throw file.Fail($"string reference ({offset}, {length}) is outside the {strings.Length}-byte strings section");
        used += length;
        return strings.Slice((int)offset, (int)length).ToArray();
    }
}
