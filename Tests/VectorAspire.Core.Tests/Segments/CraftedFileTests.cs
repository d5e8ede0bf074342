using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

/// <summary>
/// Files with valid checksums whose content is still wrong (a buggy or hostile writer): the semantic checks behind
/// the CRCs must reject them with <see cref="SegmentFormatException"/>.
/// </summary>
public sealed class CraftedFileTests
{
    private static byte[] Column(DataType type, bool nullable, long rows, int dim, byte[] validity, byte[] second, byte[]? third = null, uint? width = null)
    {
        (SectionKind, long)[] sections = third is null
            ? [(SectionKind.Validity, validity.Length), (SectionKind.Values, second.Length)]
            : [(SectionKind.Validity, validity.Length), (SectionKind.Offsets, second.Length), (SectionKind.Data, third.Length)];
        var writer = new SectionFileWriter(ColumnFile.Magic, ColumnFile.FormatVersion, ColumnFile.MetaLength, sections);
        var meta = writer.Meta;
        BinaryPrimitives.WriteUInt16LittleEndian(meta, (ushort)type);
        BinaryPrimitives.WriteUInt16LittleEndian(meta[2..], nullable ? (ushort)1 : (ushort)0);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[4..], (uint)dim);
        BinaryPrimitives.WriteInt64LittleEndian(meta[8..], 100);
        BinaryPrimitives.WriteInt64LittleEndian(meta[16..], rows);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[24..], width ?? type switch
        {
            DataType.Bool or DataType.Int8 => 1u,
            DataType.Int64 => 8u,
            _ => 4u,
        });
        validity.CopyTo(writer.Section(0));
        second.CopyTo(writer.Section(1));
        third?.CopyTo(writer.Section(2));
        return writer.Finish();
    }

    private static byte[] Ints(params int[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    private static void Rejects(byte[] file, FieldSchema field, string expected)
    {
        var ex = Assert.Throws<SegmentFormatException>(() => ColumnFile.Read(file, field));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void WellFormedCraftedFileIsAccepted()
    {
        var file = Column(DataType.VarChar, false, 2, 0, [], Ints(0, 1, 3), [1, 2, 3]);
        Assert.Equal(2, ColumnFile.Read(file, SegmentTestData.Field(DataType.VarChar, false)).Count);
    }

    [Fact]
    public void BoolByteOtherThanZeroOrOneIsRejected() =>
        Rejects(Column(DataType.Bool, false, 3, 0, [], [0, 2, 1]), SegmentTestData.Field(DataType.Bool, false), "neither 0 nor 1");

    [Fact]
    public void DecreasingOffsetsAreRejected() =>
        Rejects(Column(DataType.VarChar, false, 3, 0, [], Ints(0, 2, 1, 3), [1, 2, 3]), SegmentTestData.Field(DataType.VarChar, false), "is below offset");

    [Fact]
    public void OffsetsNotEndingAtTheDataLengthAreRejected() =>
        Rejects(Column(DataType.Json, false, 2, 0, [], Ints(0, 1, 2), [1, 2, 3]), SegmentTestData.Field(DataType.Json, false), "last offset");

    [Fact]
    public void ValidityBitsPastTheLastRowAreRejected() =>
        Rejects(Column(DataType.Int8, true, 3, 0, BitConverter.GetBytes(0b1001UL), [1, 2, 3]), SegmentTestData.Field(DataType.Int8, true), "past the last row");

    [Fact]
    public void RowCountDisagreeingWithTheValuesSectionIsRejected() =>
        Rejects(Column(DataType.Int64, false, 3, 0, [], new byte[16]), SegmentTestData.Field(DataType.Int64, false), "values section");

    [Fact]
    public void HugeRowTimesDimCountDoesNotOverflow() =>
        Rejects(Column(DataType.FloatVector, false, int.MaxValue, 1 << 30, [], new byte[64]), SegmentTestData.Field(DataType.FloatVector, false, dim: 1 << 30), "values section");

    [Fact]
    public void WrongElementWidthIsRejected() =>
        Rejects(Column(DataType.Int32, false, 1, 0, [], new byte[4], width: 8), SegmentTestData.Field(DataType.Int32, false), "element width");

    [Fact]
    public void NonNullableColumnWithAValiditySectionIsRejected() =>
        Rejects(Column(DataType.Int8, false, 1, 0, new byte[8], [1]), SegmentTestData.Field(DataType.Int8, false), "validity section");

    [Fact]
    public void StatsStringReferenceOutsideTheStringsSectionIsRejected()
    {
        var writer = new SectionFileWriter(SegmentStatsFile.Magic, SegmentStatsFile.FormatVersion, SegmentStatsFile.MetaLength,
            [(SectionKind.Records, SegmentStatsFile.RecordBytes), (SectionKind.Strings, 4), (SectionKind.Bloom, 0)]);
        BinaryPrimitives.WriteInt64LittleEndian(writer.Meta, 1);
        BinaryPrimitives.WriteInt64LittleEndian(writer.Meta[8..], -1);
        BinaryPrimitives.WriteUInt32LittleEndian(writer.Meta[16..], 1);
        var record = writer.Section(0);
        BinaryPrimitives.WriteUInt16LittleEndian(record[8..], (ushort)DataType.VarChar);
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], (ushort)MinMaxKind.Bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(record[24..], 2UL | (10UL << 32));
        var ex = Assert.Throws<SegmentFormatException>(() => SegmentStatsFile.Read(writer.Finish()));
        Assert.Contains("outside the 4-byte strings section", ex.Message);
    }
}
