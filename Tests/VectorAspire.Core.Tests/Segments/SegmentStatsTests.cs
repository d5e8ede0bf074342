using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

public sealed class SegmentStatsTests
{
    private static CollectionSchema Schema(DataType pkType) => new()
    {
        Name = "s",
        Fields =
        [
            new FieldSchema { FieldId = 100, Name = "id", DataType = pkType, IsPrimaryKey = true, MaxLength = 32 },
            new FieldSchema { FieldId = 101, Name = "age", DataType = DataType.Int16, Nullable = true },
            new FieldSchema { FieldId = 102, Name = "score", DataType = DataType.Double, Nullable = true },
            new FieldSchema { FieldId = 103, Name = "name", DataType = DataType.VarChar, Nullable = true, MaxLength = 50 },
            new FieldSchema { FieldId = 104, Name = "all_null", DataType = DataType.Int64, Nullable = true },
            new FieldSchema { FieldId = 105, Name = "flag", DataType = DataType.Bool },
            new FieldSchema { FieldId = 106, Name = "v", DataType = DataType.FloatVector, Dim = 2 },
        ],
    };

    private static ColumnBlock Block(DataType pkType)
    {
        var schema = Schema(pkType);
        var block = new ColumnBlock(schema, 4);
        var c = block.Columns;
        string[] names = ["mango", "apple", "", "zebra"];
        for (int r = 0; r < 4; r++)
        {
            if (pkType == DataType.Int64)
                ((FixedColumn<long>)c[0]).Append(1000 + r);
            else
                ((VarColumn)c[0]).Append(Encoding.UTF8.GetBytes($"k{r}"));
            if (r == 1) c[1].AppendNull(); else ((FixedColumn<short>)c[1]).Append((short)(r * 10 - 5));
            if (r == 2) ((FixedColumn<double>)c[2]).Append(double.NaN); else if (r == 3) c[2].AppendNull(); else ((FixedColumn<double>)c[2]).Append(r - 0.5);
            if (r == 3) c[3].AppendNull(); else ((VarColumn)c[3]).Append(Encoding.UTF8.GetBytes(names[r]));
            c[4].AppendNull();
            ((FixedColumn<bool>)c[5]).Append(r % 2 == 0);
            ((VectorColumn)c[6]).Append([r, r]);
        }
        block.PublishRows(4);
        return block;
    }

    [Fact]
    public void MinMaxSkipNullsAndNaNAndAllNullFieldsHaveNone()
    {
        var stats = SegmentStatsFile.Read(SegmentStatsFile.Write(SegmentStats.Compute(Block(DataType.Int64))));
        Assert.Equal(4, stats.RowCount);
        Assert.Equal(100, stats.PkFieldId);

        var id = stats.Find(100)!;
        Assert.Equal((MinMaxKind.Int64, 1000L, 1003L), (id.Kind, id.MinInt64, id.MaxInt64));
        var age = stats.Find(101)!;
        Assert.Equal((MinMaxKind.Int64, -5L, 25L, 1L), (age.Kind, age.MinInt64, age.MaxInt64, age.NullCount));
        var score = stats.Find(102)!;
        Assert.Equal((MinMaxKind.Double, -0.5, 0.5, 1L), (score.Kind, score.MinDouble, score.MaxDouble, score.NullCount));
        var name = stats.Find(103)!;
        Assert.Equal(MinMaxKind.Bytes, name.Kind);
        Assert.Equal("", Encoding.UTF8.GetString(name.MinBytes.Span));
        Assert.Equal("mango", Encoding.UTF8.GetString(name.MaxBytes.Span));
        var allNull = stats.Find(104)!;
        Assert.Equal((MinMaxKind.None, 4L), (allNull.Kind, allNull.NullCount));
        Assert.Equal(MinMaxKind.None, stats.Find(105)!.Kind);
        Assert.Equal(MinMaxKind.None, stats.Find(106)!.Kind);

        Assert.NotNull(stats.PkFilter);
        for (long k = 1000; k < 1004; k++)
            Assert.True(stats.PkFilter.MightContain(k));
    }

    [Fact]
    public void VarCharPrimaryKeyGetsAVarCharBloomFilter()
    {
        var stats = SegmentStatsFile.Read(SegmentStatsFile.Write(SegmentStats.Compute(Block(DataType.VarChar))));
        Assert.Equal(DataType.VarChar, stats.PkFilter!.KeyType);
        Assert.True(stats.PkFilter.MightContain("k2"u8));
        Assert.Equal("k0", Encoding.UTF8.GetString(stats.Find(100)!.MinBytes.Span));
        Assert.Equal("k3", Encoding.UTF8.GetString(stats.Find(100)!.MaxBytes.Span));
    }

    [Fact]
    public void VarCharMinMaxCanBeTurnedOff()
    {
        var stats = SegmentStats.Compute(Block(DataType.Int64), new SegmentStatsOptions { VarCharMinMax = false });
        Assert.Equal(MinMaxKind.None, SegmentStatsFile.Read(SegmentStatsFile.Write(stats)).Find(103)!.Kind);
    }

    [Fact]
    public void EmptySegmentStatsRoundTrip()
    {
        var schema = Schema(DataType.Int64);
        var stats = SegmentStatsFile.Read(SegmentStatsFile.Write(SegmentStats.Compute(new ColumnBlock(schema, 0))));
        Assert.Equal(0, stats.RowCount);
        Assert.All(stats.Fields, f => Assert.Equal(MinMaxKind.None, f.Kind));
        Assert.False(stats.PkFilter!.MightContain(1));
    }

    [Fact]
    public void CorruptedOrTruncatedStatsFileIsRejected()
    {
        var bytes = SegmentStatsFile.Write(SegmentStats.Compute(Block(DataType.VarChar)));
        Corruption.EveryFlipIsDetected(bytes, b => SegmentStatsFile.Read(b));
        Corruption.EveryTruncationIsDetected(bytes, b => SegmentStatsFile.Read(b));
    }
}
