using System.Buffers.Binary;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// A <see cref="DeltaLog"/> in the <see cref="SectionFile"/> container with magic "VADL", version 1.
/// <code>
/// meta (32 bytes): u16 pk data type (Int64 = 5, VarChar = 21), u16 reserved 0, u32 reserved 0, i64 delete count,
///                  u64 min timestamp, u64 max timestamp (both 0 when empty)
/// sections
/// Int64 keys:   [Values] count i64 keys                                  [Values] count u64 timestamps
/// VarChar keys: [Offsets] count+1 i32  [Data] UTF-8 keys back to back    [Values] count u64 timestamps
/// </code>
/// </summary>
public static class DeltaLogFile
{
    /// <summary>"VADL" read as a little-endian u32.</summary>
    public const uint Magic = 0x4C444156;
    public const ushort FormatVersion = 1;
    internal const int MetaLength = 32;

    public static byte[] Write(DeltaLog log)
    {
        SectionCodec.RequireLittleEndianHost();
        long tsBytes = SectionCodec.ByteLength<ulong>(log.Count);
        SectionFileWriter writer;
        if (log.PrimaryKeys is FixedColumn<long> ints)
        {
            ReadOnlySpan<(SectionKind, long)> sections = [(SectionKind.Values, SectionCodec.ByteLength<long>(log.Count)), (SectionKind.Values, tsBytes)];
            writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
            SectionCodec.Write(ints.Values, writer.Section(0));
            SectionCodec.Write<ulong>(log.Timestamps, writer.Section(1));
        }
        else
        {
            var strings = (VarColumn)log.PrimaryKeys;
            ReadOnlySpan<(SectionKind, long)> sections =
            [
                (SectionKind.Offsets, SectionCodec.ByteLength<int>(log.Count + 1L)),
                (SectionKind.Data, strings.Data.Length),
                (SectionKind.Values, tsBytes),
            ];
            writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
            SectionCodec.Write(strings.Offsets, writer.Section(0));
            strings.Data.CopyTo(writer.Section(1));
            SectionCodec.Write<ulong>(log.Timestamps, writer.Section(2));
        }
        var (min, max) = TimestampFile.MinMax(log.Timestamps);
        var meta = writer.Meta;
        BinaryPrimitives.WriteUInt16LittleEndian(meta, (ushort)log.PkType);
        BinaryPrimitives.WriteInt64LittleEndian(meta[8..], log.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[16..], min);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[24..], max);
        return writer.Finish();
    }

    public static DeltaLog Read(ReadOnlyMemory<byte> bytes)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, "delta log");
        var meta = file.Meta;
        var pkType = (DataType)BinaryPrimitives.ReadUInt16LittleEndian(meta);
        long count = BinaryPrimitives.ReadInt64LittleEndian(meta[8..]);
        ulong min = BinaryPrimitives.ReadUInt64LittleEndian(meta[16..]);
        ulong max = BinaryPrimitives.ReadUInt64LittleEndian(meta[24..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(meta[2..]) != 0 || BinaryPrimitives.ReadUInt32LittleEndian(meta[4..]) != 0)
            throw file.Fail("non-zero reserved bytes");
        if (count is < 0 or >= int.MaxValue)
            throw file.Fail($"delete count {count} is out of range");
        int rows = (int)count;
        DeltaLog log;
        switch (pkType)
        {
            case DataType.Int64:
            {
                file.RequireSectionCount(2);
                var keys = SectionCodec.ReadArray<long>(file, file.Section(0, SectionKind.Values), rows, "keys");
                var ts = SectionCodec.ReadArray<ulong>(file, file.Section(1, SectionKind.Values), rows, "timestamps");
                log = new DeltaLog(new FixedColumn<long>(DataType.Int64, keys, rows, null), ts);
                break;
            }
            case DataType.VarChar:
            {
                file.RequireSectionCount(3);
                var offsets = SectionCodec.ReadArray<int>(file, file.Section(0, SectionKind.Offsets), rows + 1L, "offsets");
                var data = file.Section(1, SectionKind.Data);
                SectionCodec.ValidateOffsets(file, offsets, data.Length);
                var ts = SectionCodec.ReadArray<ulong>(file, file.Section(2, SectionKind.Values), rows, "timestamps");
                log = new DeltaLog(new VarColumn(DataType.VarChar, data.ToArray(), offsets, rows, null), ts);
                break;
            }
            default:
                throw file.Fail($"pk type {pkType} is not Int64 or VarChar");
        }
        var (foundMin, foundMax) = TimestampFile.MinMax(log.Timestamps);
        if (foundMin != min || foundMax != max)
            throw file.Fail($"header min/max ({min}, {max}) disagree with the rows ({foundMin}, {foundMax})");
        return log;
    }
}
