using VectorAspire.Core.Columns;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Query;

public sealed class SegmentMvccTests
{
    internal static readonly CollectionSchema Schema = new()
    {
        Name = "t",
        Fields =
        [
            new FieldSchema { FieldId = 100, Name = "id", DataType = DataType.Int64, IsPrimaryKey = true },
            new FieldSchema { FieldId = 101, Name = "v", DataType = DataType.FloatVector, Dim = 4 },
            new FieldSchema { FieldId = 102, Name = "n", DataType = DataType.Int32 },
        ],
    };

    internal static ColumnBlock Rows(IEnumerable<(long Id, float[] V, int N)> rows)
    {
        var list = rows.ToList();
        var block = new ColumnBlock(Schema, list.Count);
        foreach (var (id, v, n) in list)
        {
            ((FixedColumn<long>)block.Columns[0]).Append(id);
            ((VectorColumn)block.Columns[1]).Append(v);
            ((FixedColumn<int>)block.Columns[2]).Append(n);
        }
        block.PublishRows(list.Count);
        return block;
    }

    private static long[] VisibleIds(Segment segment, ulong readTs)
    {
        var plan = new QueryPlan { PartitionIds = [segment.PartitionId], OutputFieldIndexes = [], Filter = "id >= 0" };
        return [.. SegmentQuerier.Query(Schema, [segment], plan, readTs).Keys.Select(k => k.Int)];
    }

    [Fact]
    public void RowsAreVisibleFromTheirInsertTimestampUntilTheirDelete()
    {
        var seg = new GrowingSegment(1, 1, 1, "v", Schema);
        seg.Append(Rows([(1, [1, 0, 0, 0], 1), (2, [0, 1, 0, 0], 2)]), 10);
        seg.Append(Rows([(3, [0, 0, 1, 0], 3)]), 20);
        var scratch = new List<int>();
        Assert.Equal(1, seg.ApplyDelete(PrimaryKey.Of(1), 30, scratch));
        Assert.Empty(VisibleIds(seg, 9));
        Assert.Equal([1L, 2L], VisibleIds(seg, 10));
        Assert.Equal([1L, 2L, 3L], VisibleIds(seg, 29));
        Assert.Equal([2L, 3L], VisibleIds(seg, 30));
        Assert.Equal(0, seg.ApplyDelete(PrimaryKey.Of(99), 40, scratch));
    }

    [Fact]
    public void AnUpsertsDeleteDoesNotHideTheRowItInserts()
    {
        var seg = new GrowingSegment(1, 1, 1, "v", Schema);
        var scratch = new List<int>();
        seg.Append(Rows([(7, [1, 0, 0, 0], 1)]), 10);
        // Upsert at ts 20 = delete(7)@20 + insert(7)@20.
        seg.ApplyDelete(PrimaryKey.Of(7), 20, scratch);
        seg.Append(Rows([(7, [0, 1, 0, 0], 2)]), 20);
        var plan = new QueryPlan { PartitionIds = [1], OutputFieldIndexes = [2], Keys = [PrimaryKey.Of(7)] };
        var before = SegmentQuerier.Query(Schema, [seg], plan, 15);
        var after = SegmentQuerier.Query(Schema, [seg], plan, 25);
        Assert.Equal(1, ((FixedColumn<int>)before.Columns[1]).Get(0));
        Assert.Equal(2, ((FixedColumn<int>)after.Columns[1]).Get(0));
        Assert.Equal(1, after.Count);
    }

    [Fact]
    public void DeletesBeforeAnInsertDoNotHideLaterRows()
    {
        var seg = new GrowingSegment(1, 1, 1, "v", Schema);
        var scratch = new List<int>();
        seg.ApplyDelete(PrimaryKey.Of(5), 5, scratch);
        seg.Append(Rows([(5, [1, 0, 0, 0], 1)]), 10);
        Assert.Equal([5L], VisibleIds(seg, 10));
    }

    [Fact]
    public void SearchOverManyBlocksMatchesABruteForceOracle()
    {
        int seed = 12345;
        var rng = new Random(seed);
        var seg = new GrowingSegment(1, 1, 1, "v", Schema, maxBlockRows: 256);
        var all = new List<(long Id, float[] V, int N, ulong Ts)>();
        for (int b = 0; b < 20; b++)
        {
            var rows = Enumerable.Range(0, 97).Select(i => ((long)(b * 97 + i), new[] { (float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble() }, rng.Next(10))).ToList();
            seg.Append(Rows(rows), (ulong)(b + 1) * 10);
            all.AddRange(rows.Select(r => (r.Item1, r.Item2, r.Item3, (ulong)(b + 1) * 10)));
        }
        var scratch = new List<int>();
        var deleted = new HashSet<long>();
        foreach (var id in Enumerable.Range(0, 300).Select(_ => (long)rng.Next(all.Count)))
        {
            seg.ApplyDelete(PrimaryKey.Of(id), 150, scratch);
            if (all[(int)id].Ts < 150)
                deleted.Add(id);
        }
        ulong readTs = 160;
        var query = new float[] { 0.5f, 0.5f, 0.5f, 0.5f };
        var plan = new SearchPlan { PartitionIds = [1], VectorFieldIndex = 1, Metric = MetricType.L2, Queries = query, Nq = 1, Dim = 4, TopK = 25, Filter = "n < 5" };
        var hits = SegmentSearcher.Search(Schema, [seg], plan, readTs).Hits[0];
        var expected = all.Where(r => r.Ts <= readTs && !deleted.Contains(r.Id) && r.N < 5)
            .Select(r => (r.Id, D: ScalarDistance.L2Squared(r.V, query)))
            .OrderBy(r => r.D).ThenBy(r => r.Id).Take(25).Select(r => r.Id).ToArray();
        Assert.True(expected.SequenceEqual(hits.Select(h => h.Pk.Int)), $"seed {seed}");
    }
}
