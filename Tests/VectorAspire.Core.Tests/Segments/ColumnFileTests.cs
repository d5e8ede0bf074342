using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

public sealed class ColumnFileTests
{
    public static TheoryData<DataType, bool, int> TypesNullabilityAndRows()
    {
        var data = new TheoryData<DataType, bool, int>();
        foreach (var t in SegmentTestData.StorableTypes)
        {
            foreach (bool nullable in (bool[])[false, true])
            {
                foreach (int rows in (int[])[0, 1, 63, 64, 65, 1000])
                    data.Add(t, nullable, rows);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TypesNullabilityAndRows))]
    public void RoundTripPreservesValuesAndNulls(DataType type, bool nullable, int rows)
    {
        int seed = HashCode.Combine(type, nullable, rows);
        var field = SegmentTestData.Field(type, nullable);
        var column = SegmentTestData.MakeColumn(field, rows, new Random(seed));
        var bytes = ColumnFile.Write(column, field);
        var read = ColumnFile.Read(bytes, field);
        SegmentTestData.AssertColumnsEqual(column, read);
        Assert.Equal(0, bytes.Length % 16);
    }

    [Fact]
    public void SectionsStartOn64ByteBoundaries()
    {
        var field = SegmentTestData.Field(DataType.VarChar, nullable: true);
        var bytes = ColumnFile.Write(SegmentTestData.MakeColumn(field, 77, new Random(5)), field);
        var reader = new SectionFileReader(bytes, ColumnFile.Magic, ColumnFile.FormatVersion, ColumnFile.MetaLength, "t");
        for (int i = 0; i < reader.SectionCount; i++)
        {
            var kind = i == 0 ? SectionKind.Validity : i == 1 ? SectionKind.Offsets : SectionKind.Data;
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(reader.Section(i, kind), out var seg));
            Assert.Equal(0, seg.Offset % 64);
        }
    }

    [Fact]
    public void PartiallyFilledGrowingColumnWritesOnlyItsRows()
    {
        var field = SegmentTestData.Field(DataType.Int32, nullable: true);
        var column = new FixedColumn<int>(DataType.Int32, 1000, nullable: true);
        column.Append(5);
        column.AppendNull();
        column.Append(-7);
        var read = (FixedColumn<int>)ColumnFile.Read(ColumnFile.Write(column, field), field);
        Assert.Equal(3, read.Count);
        Assert.Equal(new[] { 5, 0, -7 }, read.Values.ToArray());
        Assert.True(read.IsNull(1));
        Assert.False(read.IsNull(2));
    }

    [Fact]
    public void EmptyStringsAndBigVarDataRoundTrip()
    {
        var field = SegmentTestData.Field(DataType.VarChar, nullable: false);
        var column = new VarColumn(DataType.VarChar, 6, nullable: false);
        var big = new byte[3 << 20];
        new Random(11).NextBytes(big);
        column.Append([]);
        column.Append(big);
        column.Append([]);
        column.Append("ünïcødé"u8);
        column.Append(big.AsSpan(0, 65535));
        column.Append([]);
        var read = (VarColumn)ColumnFile.Read(ColumnFile.Write(column, field), field);
        SegmentTestData.AssertColumnsEqual(column, read);
        Assert.Equal(0, read.Get(0).Length);
        Assert.True(read.Get(1).SequenceEqual(big));
        Assert.Equal("ünïcødé", Encoding.UTF8.GetString(read.Get(3)));
    }

    [Theory]
    [InlineData(DataType.Int64, DataType.Int32, false, false, 8, 8, 100, 100)]
    [InlineData(DataType.Int64, DataType.Int64, false, true, 8, 8, 100, 100)]
    [InlineData(DataType.FloatVector, DataType.FloatVector, false, false, 8, 16, 100, 100)]
    [InlineData(DataType.VarChar, DataType.VarChar, false, false, 8, 8, 100, 101)]
    public void FieldMismatchIsRejected(DataType writtenType, DataType readType, bool writtenNullable, bool readNullable, int writtenDim, int readDim, long writtenId, long readId)
    {
        var written = SegmentTestData.Field(writtenType, writtenNullable, writtenId, writtenDim);
        var bytes = ColumnFile.Write(SegmentTestData.MakeColumn(written, 10, new Random(1)), written);
        var readAs = SegmentTestData.Field(readType, readNullable, readId, readDim);
        var ex = Assert.Throws<SegmentFormatException>(() => ColumnFile.Read(bytes, readAs));
        Assert.Contains("column file of field", ex.Message);
    }

    [Fact]
    public void WrongMagicAndVersionAreNamed()
    {
        var field = SegmentTestData.Field(DataType.Int64, false);
        var bytes = ColumnFile.Write(SegmentTestData.MakeColumn(field, 10, new Random(1)), field);
        var ts = TimestampFile.Write([1, 2, 3]);
        Assert.Contains("wrong magic 'VATS', expected 'VACF'", Assert.Throws<SegmentFormatException>(() => ColumnFile.Read(ts, field)).Message);
        bytes[4] = 2;
        Assert.Contains("unsupported format version 2", Assert.Throws<SegmentFormatException>(() => ColumnFile.Read(bytes, field)).Message);
    }

    public static TheoryData<DataType, bool> TypesAndNullability()
    {
        var data = new TheoryData<DataType, bool>();
        foreach (var t in SegmentTestData.StorableTypes)
        {
            data.Add(t, false);
            data.Add(t, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TypesAndNullability))]
    public void EveryByteFlipIsDetected(DataType type, bool nullable)
    {
        var field = SegmentTestData.Field(type, nullable, dim: 4);
        var bytes = ColumnFile.Write(SegmentTestData.MakeColumn(field, 70, new Random(42), maxVarBytes: 8), field);
        Corruption.EveryFlipIsDetected(bytes, b => ColumnFile.Read(b, field));
    }

    [Theory]
    [MemberData(nameof(TypesAndNullability))]
    public void EveryTruncationIsDetected(DataType type, bool nullable)
    {
        var field = SegmentTestData.Field(type, nullable, dim: 4);
        var bytes = ColumnFile.Write(SegmentTestData.MakeColumn(field, 70, new Random(43), maxVarBytes: 8), field);
        Corruption.EveryTruncationIsDetected(bytes, b => ColumnFile.Read(b, field));
    }

    [Fact]
    public void SampledFlipsInABigVectorFileAreDetected()
    {
        var field = SegmentTestData.Field(DataType.FloatVector, nullable: false, dim: 128);
        var bytes = ColumnFile.Write(SegmentTestData.MakeColumn(field, 2000, new Random(8)), field);
        Corruption.EveryFlipIsDetected(bytes, b => ColumnFile.Read(b, field), seed: 8, exhaustiveLimit: 0);
        Corruption.EveryTruncationIsDetected(bytes, b => ColumnFile.Read(b, field), seed: 9, exhaustiveLimit: 0);
    }
}
