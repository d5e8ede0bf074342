using VectorAspire.Core.Indexes;
using VectorAspire.Core.Segments.Format;
using VectorAspire.Core.Tests.Segments;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Ivf;

/// <summary>Behaviour every IVF index must show; each index type runs it with its own recall floor.</summary>
public abstract class IvfIndexContractTests
{
    protected abstract string IndexType { get; }

    /// <summary>recall@10 floor at nprobe 16 of 128 lists on the clustered test data.</summary>
    protected abstract double RecallFloor { get; }

    protected IVectorIndex Index(MetricType metric) => IvfTestData.Index(IndexType, metric);

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.Cosine)]
    public void RecallAtNprobe16MeetsTheFloor(MetricType metric)
    {
        var index = Index(metric);
        Assert.Equal(IndexType, index.IndexType);
        Assert.Equal(IvfTestData.Count, index.Count);
        double recall = IvfTestData.Recall(index, 16);
        Assert.True(recall >= RecallFloor, $"seed {IvfTestData.Seed}, {IndexType} {metric}: recall@10 {recall:F4} < {RecallFloor}");
    }

    [Theory]
    [InlineData(MetricType.L2, 0.5)]
    [InlineData(MetricType.L2, 0.05)]
    [InlineData(MetricType.L2, 0.002)]
    [InlineData(MetricType.IP, 0.05)]
    [InlineData(MetricType.Cosine, 0.5)]
    public void FilteredSearchReturnsOnlyEligibleRowsAndMeetsTheFloor(MetricType metric, double density)
    {
        var index = Index(metric);
        var filter = IvfTestData.Filter(density);
        for (int i = 0; i < 20; i++)
        {
            foreach (long id in IvfTestData.Search(index, IvfTestData.Query(i), 10, 16, filter).Ids)
                Assert.True(IvfTestData.IsSet(filter, id), $"row {id} is not eligible (density {density})");
        }
        double recall = IvfTestData.Recall(index, 16, filter: filter);
        Assert.True(recall >= RecallFloor, $"seed {IvfTestData.Seed}, {IndexType} {metric} density {density}: filtered recall@10 {recall:F4} < {RecallFloor}");
    }

    [Fact]
    public void ConcurrentSearchesMatchSequentialOnes()
    {
        var index = Index(MetricType.Cosine);
        var filter = IvfTestData.Filter(0.5);
        var expected = Enumerable.Range(0, 40).Select(i => IvfTestData.Search(index, IvfTestData.Query(i), 10, 8, i % 2 == 0 ? default : filter)).ToArray();
        var actual = new (long[] Ids, float[] Scores)[40];
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            actual[i] = IvfTestData.Search(index, IvfTestData.Query(i), 10, 8, i % 2 == 0 ? default : filter));
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(expected[i].Ids, actual[i].Ids);
            Assert.Equal(expected[i].Scores, actual[i].Scores);
        }
    }

    [Fact]
    public void EmptyFilterReturnsNothing()
    {
        var index = Index(MetricType.L2);
        var filter = new ulong[(IvfTestData.Count + 63) / 64];
        Assert.Empty(IvfTestData.Search(index, IvfTestData.Query(0), 10, 16, filter).Ids);
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.Cosine)]
    public void RangeSearchKeepsOnlyInRangeScores(MetricType metric)
    {
        var index = Index(metric);
        // Bounds around the exact 5th and 40th best scores of the first query, so the range holds ~35 rows.
        var q = IvfTestData.Query(0);
        var exact = new TopKCollector(40, metric);
        FlatSearch.Search(IvfTestData.Rows, IvfTestData.Dim, IvfTestData.Count, q, metric, exact);
        var (_, exactScores) = IvfTestData.Sorted(exact);
        float inner = exactScores[4], outer = exactScores[39];
        var range = ScoreRange.Create(metric, outer, inner);
        var (ids, scores) = IvfTestData.Search(index, q, 100, 16, range: range);
        Assert.NotEmpty(ids);
        foreach (float s in scores)
            Assert.True(range.Contains(s), $"{metric}: score {s} outside [{inner}, {outer})");
        // Rows well inside the range must be found; approximate scores may move rows at the very edges across.
        float margin = Math.Abs(outer - inner) * 0.02f;
        var inside = metric == MetricType.L2 ? ScoreRange.Create(metric, outer - margin, inner + margin) : ScoreRange.Create(metric, outer + margin, inner - margin);
        var truth = IvfTestData.Exact(q, metric, 100, range: inside);
        int hits = ids.Count(id => truth.Contains(id));
        Assert.True(hits >= truth.Length * RecallFloor, $"{metric}: range search found {hits} of the {truth.Length} rows inside the range");
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.Cosine)]
    public void SerializationRoundTripGivesIdenticalResults(MetricType metric)
    {
        var index = Index(metric);
        var bytes = index.Serialize();
        var loaded = VectorIndexFactory.Load(IndexType, bytes, IvfTestData.Rows);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(index.Dim, loaded.Dim);
        Assert.Equal(index.Metric, loaded.Metric);
        Assert.Equal(index.MemoryBytes, loaded.MemoryBytes);
        Assert.Equal(bytes, loaded.Serialize());
        var filter = IvfTestData.RandomFilter(new Random(7), IvfTestData.Count, 0.3);
        for (int i = 0; i < 20; i++)
        {
            var a = IvfTestData.Search(index, IvfTestData.Query(i), 10, 8 + i, i % 2 == 0 ? default : filter, rowIdBase: 1000);
            var b = IvfTestData.Search(loaded, IvfTestData.Query(i), 10, 8 + i, i % 2 == 0 ? default : filter, rowIdBase: 1000);
            Assert.Equal(a.Ids, b.Ids);
            Assert.Equal(a.Scores, b.Scores);
        }
    }

    [Fact]
    public void CorruptionIsDetected()
    {
        var (rows, _) = IvfTestData.Generate(5, 120, 1, 8, 4);
        var small = VectorIndexFactory.Build(IndexType, rows, 120, 8, MetricType.L2, SmallParameters(), 1, CancellationToken.None);
        var bytes = small.Serialize();
        Corruption.EveryFlipIsDetected(bytes, b => VectorIndexFactory.Load(IndexType, b, rows));
        Corruption.EveryTruncationIsDetected(bytes, b => VectorIndexFactory.Load(IndexType, b, rows));
        Corruption.ExpectFormatError(() => VectorIndexFactory.Load(IndexType == "IVF_FLAT" ? "IVF_SQ8" : "IVF_FLAT", bytes, rows), "wrong index type");
    }

    protected virtual Dictionary<string, string> SmallParameters() => new() { ["nlist"] = "4" };

    [Fact]
    public void FewerRowsThanNlistAndEmptyIndexesWork()
    {
        var (rows, queries) = IvfTestData.Generate(9, 20, 1, 16, 3);
        var p = SmallParameters();
        p["nlist"] = "64";
        var index = VectorIndexFactory.Build(IndexType, rows, 20, 16, MetricType.L2, p, 1, CancellationToken.None);
        var (ids, _) = IvfTestData.Search(index, queries, 5, 64);
        Assert.Equal(5, ids.Length);
        var empty = VectorIndexFactory.Build(IndexType, Array.Empty<float>(), 0, 16, MetricType.L2, p, 1, CancellationToken.None);
        var reloaded = VectorIndexFactory.Load(IndexType, empty.Serialize(), Array.Empty<float>());
        Assert.Empty(IvfTestData.Search(reloaded, queries, 5, 8).Ids);
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.Cosine)]
    public void SearchAllocatesNothingAfterWarmUp(MetricType metric)
    {
        var index = Index(metric);
        var collector = new TopKCollector(10, metric);
        var filter = IvfTestData.RandomFilter(new Random(3), IvfTestData.Count, 0.5);
        var sparse = IvfTestData.RandomFilter(new Random(4), IvfTestData.Count, 0.001);
        var range = ScoreRange.Create(metric, metric == MetricType.L2 ? 1e9f : -1e9f);
        void RunAll()
        {
            for (int i = 0; i < 4; i++)
            {
                collector.Reset();
                index.Search(IvfTestData.Query(i), collector, default, new IndexSearchParams(Nprobe: 16));
                collector.Reset();
                index.Search(IvfTestData.Query(i), collector, filter, new IndexSearchParams(Nprobe: 16));
                collector.Reset();
                index.Search(IvfTestData.Query(i), collector, sparse, new IndexSearchParams(Nprobe: 16));
                collector.Reset();
                index.Search(IvfTestData.Query(i), collector, default, new IndexSearchParams(Nprobe: 4), range);
            }
        }
        for (int i = 0; i < 3; i++)
            RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunAll();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{IndexType} {metric}: {allocated} bytes allocated by 16 warmed-up searches");
    }

    [Fact]
    public void FactoryRejectsUnknownTypesAndCanBuildIvf()
    {
        Assert.True(VectorIndexFactory.CanBuild(IndexType.ToLowerInvariant()));
        _ = Assert.Throws<SegmentFormatException>(() => VectorIndexFactory.Load(IndexType, new byte[10], IvfTestData.Rows));
    }
}
