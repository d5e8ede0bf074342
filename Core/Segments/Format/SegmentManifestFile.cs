using System.Buffers.Binary;
using System.Text;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// <see cref="SegmentManifest"/> in the <see cref="SectionFile"/> container with magic "VASM", version 1.
/// <code>
/// meta (64 bytes)
/// 0   i64 collection id        8   i64 partition id       16  i64 segment id        24  i64 row count
/// 32  u64 min row timestamp    40  u64 max row timestamp  48  i64 pk field id (-1 = none)
/// 56  u32 file count           60  u32 vchannel byte length (the vchannel is the first bytes of Strings)
/// sections
/// [Records] file count x 32 bytes:
///     0 i64 field id (-1 unless a column file), 8 u16 file kind (1 column, 2 timestamps, 3 stats, 4 delta log),
///     10 u16 data type (column files; 0 otherwise), 12 u32 the file's header CRC-32C, 16 i64 file size,
///     24 u32 key offset into Strings, 28 u32 key byte length
/// [Strings] UTF-8: the vchannel, then every key, back to back in record order
/// </code>
/// </summary>
public static class SegmentManifestFile
{
    /// <summary>"VASM" read as a little-endian u32.</summary>
    public const uint Magic = 0x4D534156;
    public const ushort FormatVersion = 1;
    internal const int MetaLength = 64;
    internal const int RecordBytes = 32;

    public static byte[] Write(SegmentManifest manifest)
    {
        SectionCodec.RequireLittleEndianHost();
        var vchannel = Encoding.UTF8.GetBytes(manifest.VChannel);
        var keys = new byte[manifest.Files.Count][];
        long stringBytes = vchannel.Length;
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = Encoding.UTF8.GetBytes(manifest.Files[i].Key);
            stringBytes += keys[i].Length;
        }
        ReadOnlySpan<(SectionKind, long)> sections =
        [
            (SectionKind.Records, (long)keys.Length * RecordBytes),
            (SectionKind.Strings, stringBytes),
        ];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        var meta = writer.Meta;
        BinaryPrimitives.WriteInt64LittleEndian(meta, manifest.CollectionId);
        BinaryPrimitives.WriteInt64LittleEndian(meta[8..], manifest.PartitionId);
        BinaryPrimitives.WriteInt64LittleEndian(meta[16..], manifest.SegmentId);
        BinaryPrimitives.WriteInt64LittleEndian(meta[24..], manifest.RowCount);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[32..], manifest.MinTimestamp);
        BinaryPrimitives.WriteUInt64LittleEndian(meta[40..], manifest.MaxTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(meta[48..], manifest.PkFieldId);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[56..], (uint)keys.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[60..], (uint)vchannel.Length);

        var records = writer.Section(0);
        var strings = writer.Section(1);
        vchannel.CopyTo(strings);
        int position = vchannel.Length;
        for (int i = 0; i < keys.Length; i++)
        {
            var f = manifest.Files[i];
            var record = records.Slice(i * RecordBytes, RecordBytes);
            BinaryPrimitives.WriteInt64LittleEndian(record, f.FieldId);
            BinaryPrimitives.WriteUInt16LittleEndian(record[8..], (ushort)f.Kind);
            BinaryPrimitives.WriteUInt16LittleEndian(record[10..], (ushort)f.DataType);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], f.Crc);
            BinaryPrimitives.WriteInt64LittleEndian(record[16..], f.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(record[24..], (uint)position);
            BinaryPrimitives.WriteUInt32LittleEndian(record[28..], (uint)keys[i].Length);
            keys[i].CopyTo(strings[position..]);
            position += keys[i].Length;
        }
        return writer.Finish();
    }

    public static SegmentManifest Read(ReadOnlyMemory<byte> bytes)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, "segment manifest");
        var meta = file.Meta;
        long rowCount = BinaryPrimitives.ReadInt64LittleEndian(meta[24..]);
        ulong minTs = BinaryPrimitives.ReadUInt64LittleEndian(meta[32..]);
        ulong maxTs = BinaryPrimitives.ReadUInt64LittleEndian(meta[40..]);
        uint fileCount = BinaryPrimitives.ReadUInt32LittleEndian(meta[56..]);
        uint vchannelLength = BinaryPrimitives.ReadUInt32LittleEndian(meta[60..]);
        if (rowCount is < 0 or > int.MaxValue)
            throw file.Fail($"row count {rowCount} is out of range");
        if (minTs > maxTs)
            throw file.Fail($"min timestamp {minTs} is above max timestamp {maxTs}");
        file.RequireSectionCount(2);
        var records = file.Section(0, SectionKind.Records).Span;
        if (records.Length != (long)fileCount * RecordBytes)
            throw file.Fail($"records section is {records.Length} bytes, expected {fileCount} x {RecordBytes}");
        var strings = file.Section(1, SectionKind.Strings).Span;
        if (vchannelLength > strings.Length)
            throw file.Fail("vchannel runs past the strings section");
        string vchannel = Decode(file, strings[..(int)vchannelLength], "vchannel");
        long position = vchannelLength;
        var files = new SegmentFileEntry[fileCount];
        for (int i = 0; i < files.Length; i++)
        {
            var record = records.Slice(i * RecordBytes, RecordBytes);
            var kind = (SegmentFileKind)BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            if (kind is < SegmentFileKind.Column or > SegmentFileKind.DeltaLog)
                throw file.Fail($"file {i} has unknown kind {(ushort)kind}");
            long size = BinaryPrimitives.ReadInt64LittleEndian(record[16..]);
            uint keyOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
            uint keyLength = BinaryPrimitives.ReadUInt32LittleEndian(record[28..]);
            if (keyOffset != position || position + keyLength > strings.Length)
                throw file.Fail($"file {i} key ({keyOffset}, {keyLength}) is not the next string in the strings section");
            if (size < 0)
                throw file.Fail($"file {i} has negative size {size}");
            files[i] = new SegmentFileEntry(
                kind,
                BinaryPrimitives.ReadInt64LittleEndian(record),
                (DataType)BinaryPrimitives.ReadUInt16LittleEndian(record[10..]),
                Decode(file, strings.Slice((int)keyOffset, (int)keyLength), $"file {i} key"),
                size,
                BinaryPrimitives.ReadUInt32LittleEndian(record[12..]));
            position += keyLength;
        }
        if (position != strings.Length)
            throw file.Fail($"strings section holds {strings.Length} bytes, records use {position}");
        return new SegmentManifest
        {
            CollectionId = BinaryPrimitives.ReadInt64LittleEndian(meta),
            PartitionId = BinaryPrimitives.ReadInt64LittleEndian(meta[8..]),
            SegmentId = BinaryPrimitives.ReadInt64LittleEndian(meta[16..]),
            VChannel = vchannel,
            RowCount = rowCount,
            MinTimestamp = minTs,
            MaxTimestamp = maxTs,
            PkFieldId = BinaryPrimitives.ReadInt64LittleEndian(meta[48..]),
            Files = files,
            FormatVersion = FormatVersion,
        };
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Decode(SectionFileReader file, ReadOnlySpan<byte> utf8, string what)
    {
        try
        {
            return s_strictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new SegmentFormatException($"{file.What}: {what} is not valid UTF-8", ex);
        }
    }
}
