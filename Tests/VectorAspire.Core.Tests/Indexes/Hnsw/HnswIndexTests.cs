using VectorAspire.Core.Indexes;
using VectorAspire.Core.Indexes.Hnsw;
using VectorAspire.Core.Vectors;
using Xunit.Abstractions;

namespace VectorAspire.Core.Tests.Indexes.Hnsw;

public sealed class HnswIndexTests(HnswFixture fixture, ITestOutputHelper output) : IClassFixture<HnswFixture>
{
    private const int K = 10;
    private const double RecallFloor = 0.95;

    private float[] Data => fixture.Data;

    private float[] Queries => fixture.QueryData;

    [Theory]
    [InlineData("L2", MetricType.L2)]
    [InlineData("IP", MetricType.IP)]
    [InlineData("COSINE", MetricType.Cosine)]
    public void RecallAt10AtEf64MatchesExactSearch(string kind, MetricType metric)
    {
        var index = fixture.Get(kind);
        var truth = HnswTestData.Exact(Data, HnswFixture.Count, HnswFixture.Dim, Queries, HnswFixture.Queries, metric, K);
        double recall = HnswTestData.Recall(truth, HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 64));
        output.WriteLine($"{kind}: recall@10 = {recall:F4} (seed {HnswTestData.Seed})");
        Assert.True(recall >= RecallFloor, $"{kind} recall@10 {recall:F4} < {RecallFloor} (seed {HnswTestData.Seed})");
    }

    [Fact]
    public void ScoresFollowMilvusConventionsAndMatchExactScores()
    {
        foreach (var (kind, metric) in new[] { ("L2", MetricType.L2), ("IP", MetricType.IP), ("COSINE", MetricType.Cosine) })
        {
            var index = fixture.Get(kind);
            var q = Queries.AsSpan(0, HnswFixture.Dim);
            var collector = new TopKCollector(K, metric);
            index.Search(q, collector, default, new IndexSearchParams(Ef: 128));
            var ids = new long[K];
            var scores = new float[K];
            int n = collector.CopySorted(ids, scores);
            Assert.Equal(K, n);
            for (int i = 0; i < n; i++)
            {
                float exact = Distance.Score(metric, metric == MetricType.Cosine ? Unit(q) : q, Data.AsSpan((int)ids[i] * HnswFixture.Dim, HnswFixture.Dim));
                Assert.Equal(exact, scores[i], 3);
                if (i > 0)
                    Assert.False(metric.IsBetter(scores[i], scores[i - 1]), "results must be best-first");
            }
        }
    }

    [Fact]
    public void MultiThreadedBuildRecallEqualsSingleThreadedWithinNoise()
    {
        var truth = HnswTestData.Exact(Data, HnswFixture.Count, HnswFixture.Dim, Queries, HnswFixture.Queries, MetricType.L2, K);
        double single = HnswTestData.Recall(truth, HnswTestData.Search(fixture.Get("L2-1thread"), Queries, HnswFixture.Queries, K, 32));
        double multi = HnswTestData.Recall(truth, HnswTestData.Search(fixture.Get("L2"), Queries, HnswFixture.Queries, K, 32));
        output.WriteLine($"ef=32 recall: 1 thread {single:F4}, 2 threads {multi:F4}");
        Assert.True(Math.Abs(single - multi) <= 0.02, $"1-thread {single:F4} vs 2-thread {multi:F4}");
    }

    [Fact]
    public void SingleThreadedBuildIsDeterministic()
    {
        var options = new HnswBuildOptions(8, 32, 11, 1);
        var a = HnswIndex.Build(Data.AsSpan(0, 2000 * HnswFixture.Dim), 2000, HnswFixture.Dim, MetricType.L2, options);
        var b = HnswIndex.Build(Data.AsSpan(0, 2000 * HnswFixture.Dim), 2000, HnswFixture.Dim, MetricType.L2, options);
        Assert.Equal(a.Serialize(), b.Serialize());
    }

    [Theory]
    [InlineData(0.005)] // 100 rows: exact path
    [InlineData(0.05)]  // 1,000 rows: exact path (below ExactFilterThreshold)
    [InlineData(0.3)]   // graph path
    [InlineData(0.9)]   // graph path
    public void FilteredSearchReturnsOnlyEligibleRowsAndMatchesExactFilteredSearch(double density)
    {
        var index = fixture.Get("L2");
        var filter = HnswTestData.Filter(new Random(HnswTestData.Seed + (int)(density * 1000)), HnswFixture.Count, density);
        int eligible = filter.Sum(w => System.Numerics.BitOperations.PopCount(w));
        bool exactPath = eligible < HnswIndex.ExactFilterThreshold(HnswFixture.Count);
        var truth = HnswTestData.Exact(Data, HnswFixture.Count, HnswFixture.Dim, Queries, HnswFixture.Queries, MetricType.L2, K, filter);
        var found = HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 64, filter);
        foreach (var ids in found)
        {
            Assert.Equal(Math.Min(K, eligible), ids.Length);
            Assert.All(ids, id => Assert.True(HnswTestData.IsSet(filter, id), $"row {id} is not eligible"));
        }
        double recall = HnswTestData.Recall(truth, found);
        output.WriteLine($"density {density}: {eligible} eligible, exact path {exactPath}, recall {recall:F4}");
        Assert.True(recall >= (exactPath ? 1.0 : RecallFloor), $"filtered recall {recall:F4} at density {density}");
    }

    [Fact]
    public void FilterWithNoEligibleRowsReturnsNothing()
    {
        var collector = new TopKCollector(K, MetricType.L2);
        fixture.Get("L2").Search(Queries.AsSpan(0, HnswFixture.Dim), collector, new ulong[(HnswFixture.Count + 63) / 64], default);
        Assert.Equal(0, collector.Count);
    }

    [Theory]
    [InlineData("L2", MetricType.L2)]
    [InlineData("IP", MetricType.IP)]
    public void RangeSearchReturnsTheBestKInsideTheRange(string kind, MetricType metric)
    {
        var index = fixture.Get(kind);
        var collector = new TopKCollector(K, metric);
        var ids = new long[K];
        var scores = new float[K];
        var exactScores = new float[HnswFixture.Count];
        int hits = 0, wanted = 0;
        for (int q = 0; q < 40; q++)
        {
            var query = Queries.AsSpan(q * HnswFixture.Dim, HnswFixture.Dim);
            for (int i = 0; i < HnswFixture.Count; i++)
                exactScores[i] = Distance.Score(metric, query, Data.AsSpan(i * HnswFixture.Dim, HnswFixture.Dim));
            var sorted = (float[])exactScores.Clone();
            Array.Sort(sorted);
            if (metric != MetricType.L2)
                Array.Reverse(sorted);
            // Exclude the 5 best (range_filter) and keep up to the 40th (radius): 35 rows in range, top 10 wanted.
            float inner = sorted[4], outer = sorted[40];
            var range = metric == MetricType.L2 ? ScoreRange.Create(metric, outer, inner) : ScoreRange.Create(metric, outer, inner);
            collector.Reset();
            index.Search(query, collector, default, new IndexSearchParams(Ef: 64), range);
            int n = collector.CopySorted(ids, scores);
            Assert.Equal(K, n);
            for (int i = 0; i < n; i++)
                Assert.True(range.Contains(scores[i]), $"score {scores[i]} outside the range");
            var truth = Enumerable.Range(0, HnswFixture.Count).Where(i => range.Contains(exactScores[i]))
                .OrderBy(i => metric == MetricType.L2 ? exactScores[i] : -exactScores[i]).Take(K).Select(i => (long)i).ToArray();
            hits += ids.Take(n).Count(id => truth.Contains(id));
            wanted += truth.Length;
        }
        double recall = (double)hits / wanted;
        output.WriteLine($"{kind}: range recall {recall:F4}");
        Assert.True(recall >= RecallFloor, $"range recall {recall:F4}");
    }

    [Fact]
    public void RangeSearchWithFewRowsInRangeReturnsAllOfThem()
    {
        var index = fixture.Get("L2");
        var query = Queries.AsSpan(0, HnswFixture.Dim);
        var exact = new float[HnswFixture.Count];
        for (int i = 0; i < exact.Length; i++)
            exact[i] = Distance.L2Squared(query, Data.AsSpan(i * HnswFixture.Dim, HnswFixture.Dim));
        var sorted = (float[])exact.Clone();
        Array.Sort(sorted);
        var range = ScoreRange.Create(MetricType.L2, sorted[3]); // exactly 3 rows strictly inside
        var collector = new TopKCollector(K, MetricType.L2);
        index.Search(query, collector, default, new IndexSearchParams(Ef: 16), range);
        Assert.Equal(3, collector.Count);
    }

    [Theory]
    [InlineData("L2")]
    [InlineData("COSINE")]
    [InlineData("SQ-L2")]
    public void SerializationRoundTripGivesIdenticalResults(string kind)
    {
        var index = fixture.Get(kind);
        var bytes = index.Serialize();
        var loaded = VectorIndexFactory.Load(index.IndexType, bytes, ReadOnlyMemory<float>.Empty);
        Assert.Equal(index.IndexType, loaded.IndexType);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(bytes, loaded.Serialize());
        var a = new TopKCollector(K, index.Metric);
        var b = new TopKCollector(K, index.Metric);
        var ia = new long[K];
        var ib = new long[K];
        var sa = new float[K];
        var sb = new float[K];
        for (int q = 0; q < 50; q++)
        {
            a.Reset();
            b.Reset();
            index.Search(Queries.AsSpan(q * HnswFixture.Dim, HnswFixture.Dim), a, default, new IndexSearchParams(Ef: 40));
            loaded.Search(Queries.AsSpan(q * HnswFixture.Dim, HnswFixture.Dim), b, default, new IndexSearchParams(Ef: 40));
            a.CopySorted(ia, sa);
            b.CopySorted(ib, sb);
            Assert.Equal(ia, ib);
            Assert.Equal(sa, sb);
        }
    }

    [Fact]
    public void CorruptionIsDetected()
    {
        var bytes = fixture.Get("L2").Serialize();
        var rng = new Random(HnswTestData.Seed);
        foreach (int pos in new[] { 0, 5, 17, 40, 61, 64, 100, bytes.Length / 2, bytes.Length - 1 }.Concat(Enumerable.Range(0, 20).Select(_ => rng.Next(bytes.Length))))
        {
            var copy = (byte[])bytes.Clone();
            copy[pos] ^= (byte)(1 << rng.Next(8));
            Assert.Throws<InvalidDataException>(() => HnswIndex.Load(copy));
        }
        foreach (int len in new[] { 0, 10, 63, 64, 1000, bytes.Length - 1 })
            Assert.Throws<InvalidDataException>(() => HnswIndex.Load(bytes.AsSpan(0, len)));
        Assert.Throws<InvalidDataException>(() => HnswIndex.Load([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => VectorIndexFactory.Load("HNSW_SQ", bytes, ReadOnlyMemory<float>.Empty));
    }

    [Fact]
    public void SearchAllocatesNothingPerQueryAfterWarmUp()
    {
        foreach (var kind in new[] { "L2", "COSINE", "SQ-L2" })
        {
            var index = fixture.Get(kind);
            var collector = new TopKCollector(K, index.Metric);
            var filter = HnswTestData.Filter(new Random(1), HnswFixture.Count, 0.5);
            var sparse = HnswTestData.Filter(new Random(2), HnswFixture.Count, 0.01);
            var range = ScoreRange.Create(index.Metric, index.Metric == MetricType.L2 ? 1e9f : -1e9f);
            void RunAll()
            {
                for (int q = 0; q < 20; q++)
                {
                    var query = Queries.AsSpan(q * HnswFixture.Dim, HnswFixture.Dim);
                    collector.Reset();
                    index.Search(query, collector, default, new IndexSearchParams(Ef: 64));
                    collector.Reset();
                    index.Search(query, collector, filter, new IndexSearchParams(Ef: 64));
                    collector.Reset();
                    index.Search(query, collector, sparse, new IndexSearchParams(Ef: 64));
                    collector.Reset();
                    index.Search(query, collector, default, new IndexSearchParams(Ef: 64), range);
                }
            }
            RunAll();
            RunAll();
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunAll();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{kind}: 80 searches allocated {allocated} bytes");
        }
    }

    [Theory]
    [InlineData("SQ-L2", MetricType.L2, 0.95)]
    [InlineData("SQ-IP", MetricType.IP, 0.95)]
    [InlineData("SQ-L2-norefine", MetricType.L2, 0.85)]
    public void HnswSqRecallWithRefine(string kind, MetricType metric, double floor)
    {
        var index = fixture.Get(kind);
        Assert.Equal("HNSW_SQ", index.IndexType);
        var truth = HnswTestData.Exact(Data, HnswFixture.Count, HnswFixture.Dim, Queries, HnswFixture.Queries, metric, K);
        double recall = HnswTestData.Recall(truth, HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 64));
        output.WriteLine($"{kind}: recall@10 = {recall:F4}");
        Assert.True(recall >= floor, $"{kind} recall@10 {recall:F4} < {floor}");
    }

    [Fact]
    public void HnswSqRefineKSetsHowManyCandidatesAreRescored()
    {
        var index = fixture.Get("SQ-L2");
        var truth = HnswTestData.Exact(Data, HnswFixture.Count, HnswFixture.Dim, Queries, HnswFixture.Queries, MetricType.L2, K);
        double one = HnswTestData.Recall(truth, HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 64, refineK: 1));
        double four = HnswTestData.Recall(truth, HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 64, refineK: 4));
        // refine_k beyond ef/k widens the walk's list to k × refine_k, so ef=16 with refine_k=8 behaves like ef=80.
        double wide = HnswTestData.Recall(truth, HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 16, refineK: 8));
        double narrow = HnswTestData.Recall(truth, HnswTestData.Search(index, Queries, HnswFixture.Queries, K, 16, refineK: 1));
        output.WriteLine($"ef=64 refine_k=1 {one:F4}, refine_k=4 {four:F4}; ef=16 refine_k=1 {narrow:F4}, refine_k=8 {wide:F4}");
        Assert.True(four > one, $"refine_k=4 recall {four:F4} should beat refine_k=1 {one:F4}");
        Assert.True(wide > narrow, $"ef=16 refine_k=8 recall {wide:F4} should beat refine_k=1 {narrow:F4}");
        Assert.True(four >= 0.95, $"refine_k=4 recall {four:F4} < 0.95");
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(2f)]
    public void HnswSqRangeSearchWithSmallRefineKStillFillsK(float refineK)
    {
        // Regression: with refine_k the re-rank budget (k × refine_k) was spent on rows better than range_filter.
        var index = fixture.Get("SQ-L2");
        var collector = new TopKCollector(K, MetricType.L2);
        var exactScores = new float[HnswFixture.Count];
        for (int q = 0; q < 20; q++)
        {
            var query = Queries.AsSpan(q * HnswFixture.Dim, HnswFixture.Dim);
            for (int i = 0; i < HnswFixture.Count; i++)
                exactScores[i] = Distance.Score(MetricType.L2, query, Data.AsSpan(i * HnswFixture.Dim, HnswFixture.Dim));
            Array.Sort(exactScores);
            // range_filter excludes the 20 best rows, radius keeps up to the 80th: 60 rows in range.
            var range = ScoreRange.Create(MetricType.L2, exactScores[80], exactScores[19]);
            collector.Reset();
            index.Search(query, collector, default, new IndexSearchParams(Ef: 64, RefineK: refineK), range);
            Assert.Equal(K, collector.Count);
        }
    }

    [Fact]
    public unsafe void SqKernelsMatchTheScalarReference()
    {
        var rng = new Random(HnswTestData.Seed);
        foreach (int dim in new[] { 1, 7, 16, 33, 64, 100, 128, 768 })
        {
            var q = new float[dim];
            var s = new float[dim];
            var c = new byte[dim];
            for (int i = 0; i < dim; i++)
            {
                q[i] = HnswTestData.Gaussian(rng) * 50;
                s[i] = (float)rng.NextDouble();
                c[i] = (byte)rng.Next(256);
            }
            fixed (float* pq = q, ps = s)
            fixed (byte* pc = c)
            {
                float expected = SqKernels.L2Scalar(pq, ps, pc, dim);
                Assert.Equal(expected, SqKernels.L2(pq, ps, pc, dim), expected * 1e-5f + 1e-3f);
                float dot = 0;
                for (int i = 0; i < dim; i++)
                    dot += q[i] * c[i];
                Assert.Equal(dot, SqKernels.Dot(pq, pc, dim), Math.Abs(dot) * 1e-5f + 1e-2f);
            }
        }
    }

    [Fact]
    public void FactoryBuildsHnswFromMilvusParametersAndAutoIndexUsesDefaults()
    {
        var p = new Dictionary<string, string> { ["M"] = "8", ["efConstruction"] = "40" };
        var index = VectorIndexFactory.Build("hnsw", Data.AsMemory(0, 1000 * HnswFixture.Dim), 1000, HnswFixture.Dim, MetricType.L2, p, 2, CancellationToken.None);
        var hnsw = Assert.IsType<HnswIndex>(index);
        Assert.Equal(8, hnsw.M);
        var auto = Assert.IsType<HnswIndex>(VectorIndexFactory.Build("AUTOINDEX", Data.AsMemory(0, 300 * HnswFixture.Dim), 300, HnswFixture.Dim, MetricType.IP,
            new Dictionary<string, string>(), 1, CancellationToken.None));
        Assert.Equal(HnswIndex.DefaultM, auto.M);
        Assert.Equal(HnswIndex.DefaultEfConstruction, auto.EfConstruction);
        var sq = VectorIndexFactory.Build("HNSW_SQ", Data.AsMemory(0, 1000 * HnswFixture.Dim), 1000, HnswFixture.Dim, MetricType.L2,
            new Dictionary<string, string> { ["M"] = "8", ["sq_type"] = "SQ8", ["refine"] = "true", ["refine_type"] = "FP32" }, 1, CancellationToken.None);
        Assert.True(((HnswIndex)sq).Refine);
        Assert.True(VectorIndexFactory.CanBuild("HNSW_SQ"));
    }

    [Fact]
    public void TinyAndEmptyIndexesWork()
    {
        var empty = HnswIndex.Build(ReadOnlySpan<float>.Empty, 0, 4, MetricType.L2, new HnswBuildOptions(4, 10));
        var c = new TopKCollector(3, MetricType.L2);
        empty.Search(new float[4], c, default, default);
        Assert.Equal(0, c.Count);
        Assert.Equal(0, HnswIndex.Load(empty.Serialize()).Count);
        var one = HnswIndex.Build(new float[] { 1, 2, 3, 4 }, 1, 4, MetricType.L2, new HnswBuildOptions(4, 10));
        one.Search(new float[4], c, default, default);
        Assert.Equal(1, c.Count);
    }

    [Fact]
    public void CancellationStopsTheBuild()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            HnswIndex.Build(Data.AsSpan(0, 5000 * HnswFixture.Dim), 5000, HnswFixture.Dim, MetricType.L2, new HnswBuildOptions(8, 20, 1, 1), cts.Token));
    }

    private static float[] Unit(ReadOnlySpan<float> v)
    {
        var u = v.ToArray();
        Distance.Normalize(u);
        return u;
    }
}
