using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Vectors;

public sealed class FlatSearchTests
{
    private const int Seed = 777;

    public static TheoryData<MetricType, int> MetricsAndDims()
    {
        var data = new TheoryData<MetricType, int>();
        foreach (var m in new[] { MetricType.L2, MetricType.IP, MetricType.Cosine })
        {
            foreach (int dim in new[] { 1, 7, 16, 128, 129, 768 })
                data.Add(m, dim);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MetricsAndDims))]
    public void MatchesNaiveScanAndSort(MetricType metric, int dim)
    {
        var rng = new Random(Seed + dim);
        foreach (int rows in new[] { 0, 1, 63, 64, 65, 1000 })
        {
            var data = VectorTestData.RandomVectors(rng, rows, dim);
            var query = VectorTestData.RandomVectors(rng, 1, dim);
            foreach (int k in new[] { 1, 10, 100 })
            {
                var c = new TopKCollector(k, metric);
                FlatSearch.Search(data, dim, rows, query, metric, c, rowIdBase: 5000);
                AssertSameResults(VectorTestData.NaiveSearch(data, dim, rows, query, metric, k, 5000), c,
                    $"seed {Seed + dim}, {metric}, dim {dim}, rows {rows}, k {k}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(MetricsAndDims))]
    public void ScoresAgreeWithTheScalarOracle(MetricType metric, int dim)
    {
        var rng = new Random(Seed + 1 + dim);
        const int rows = 300;
        var data = VectorTestData.RandomVectors(rng, rows, dim);
        var query = VectorTestData.RandomVectors(rng, 1, dim);
        var c = new TopKCollector(20, metric);
        FlatSearch.Search(data, dim, rows, query, metric, c);
        var (ids, scores) = VectorTestData.Results(c);
        for (int i = 0; i < ids.Length; i++)
        {
            float expected = ScalarDistance.Score(metric, query, data.AsSpan((int)ids[i] * dim, dim));
            Assert.True(Math.Abs(scores[i] - expected) <= (1e-4f * Math.Max(1f, Math.Abs(expected))),
                $"seed {Seed + 1 + dim}, {metric}, dim {dim}, id {ids[i]}: {scores[i]} vs {expected}");
        }
    }

    [Theory]
    [InlineData(MetricType.L2, 1.0)]
    [InlineData(MetricType.L2, 0.5)]
    [InlineData(MetricType.L2, 0.9)]
    [InlineData(MetricType.Cosine, 0.85)]
    [InlineData(MetricType.IP, 0.9)]
    [InlineData(MetricType.IP, 0.02)]
    [InlineData(MetricType.Cosine, 0.3)]
    [InlineData(MetricType.Cosine, 0.0)]
    public void FilterKeepsOnlyEligibleRows(MetricType metric, double density)
    {
        var rng = new Random(Seed + 2);
        foreach (int dim in new[] { 3, 128 })
        {
            const int rows = 1500;
            var data = VectorTestData.RandomVectors(rng, rows, dim);
            var query = VectorTestData.RandomVectors(rng, 1, dim);
            var filter = VectorTestData.RandomFilter(rng, rows, density);
            // Mix in a full word and an empty word so every branch of the word walk is taken.
            filter[3] = ulong.MaxValue;
            filter[4] = 0;
            var c = new TopKCollector(25, metric);
            FlatSearch.Search(data, dim, rows, query, metric, c, rowIdBase: 0, filterBits: filter);
            AssertSameResults(VectorTestData.NaiveSearch(data, dim, rows, query, metric, 25, 0, filter), c,
                $"seed {Seed + 2}, {metric}, density {density}, dim {dim}");
        }
    }

    [Fact]
    public void FilterBitsPastRowCountAreIgnored()
    {
        const int dim = 4, rows = 70;
        var rng = new Random(Seed + 3);
        var data = VectorTestData.RandomVectors(rng, rows + 10, dim);
        var query = VectorTestData.RandomVectors(rng, 1, dim);
        var filter = new[] { ulong.MaxValue, ulong.MaxValue };
        var c = new TopKCollector(200, MetricType.L2);
        FlatSearch.Search(data, dim, rows, query, MetricType.L2, c, filterBits: filter);
        Assert.Equal(rows, c.Count);
        Assert.Throws<ArgumentException>(() =>
            FlatSearch.Search(data, dim, rows, query, MetricType.L2, c, filterBits: new ulong[1]));
    }

    public static TheoryData<MetricType, float, float?> Ranges() => new()
    {
        { MetricType.L2, 20f, null },
        { MetricType.L2, 20f, 15f },
        { MetricType.IP, 0.5f, null },
        { MetricType.IP, 0.5f, 2.5f },
        { MetricType.Cosine, 0.1f, null },
        { MetricType.Cosine, -0.2f, 0.2f },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void RangeSearchKeepsTheBestKInsideTheRange(MetricType metric, float radius, float? rangeFilter)
    {
        var rng = new Random(Seed + 4);
        const int dim = 48, rows = 2000;
        var data = VectorTestData.RandomVectors(rng, rows, dim);
        var query = VectorTestData.RandomVectors(rng, 1, dim);
        var range = ScoreRange.Create(metric, radius, rangeFilter);
        foreach (var filter in new ulong[]?[] { null, VectorTestData.RandomFilter(rng, rows, 0.3) })
        {
            var c = new TopKCollector(50, metric);
            FlatSearch.SearchRange(data, dim, rows, query, metric, range, c, rowIdBase: 10, filterBits: filter);
            var expected = VectorTestData.NaiveSearch(data, dim, rows, query, metric, 50, 10, filter, range);
            var ctx = $"seed {Seed + 4}, {metric}, radius {radius}, range_filter {rangeFilter}, filtered {filter is not null}";
            Assert.True(expected.Ids.Length > 0, $"{ctx}: test range selects nothing");
            AssertSameResults(expected, c, ctx);
            var (_, scores) = VectorTestData.Results(c);
            Assert.All(scores, s => Assert.True(range.Contains(s), $"{ctx}: score {s} outside range"));
        }
    }

    [Fact]
    public void RangeBoundsFollowMilvusInclusivity()
    {
        var l2 = ScoreRange.Create(MetricType.L2, radius: 2f, rangeFilter: 1f);
        Assert.True(l2.Contains(1f));
        Assert.False(l2.Contains(2f));
        Assert.False(l2.Contains(0.99f));
        var ip = ScoreRange.Create(MetricType.IP, radius: 1f, rangeFilter: 2f);
        Assert.False(ip.Contains(1f));
        Assert.True(ip.Contains(2f));
        Assert.False(ip.Contains(2.01f));
        Assert.True(ScoreRange.Create(MetricType.Cosine, 0.5f).Contains(1f));
        Assert.Throws<ArgumentException>(() => ScoreRange.Create(MetricType.L2, 1f, 2f));
        Assert.Throws<ArgumentException>(() => ScoreRange.Create(MetricType.IP, 2f, 1f));
        Assert.Throws<ArgumentException>(() => ScoreRange.Create(MetricType.IP, float.NaN));
    }

    [Theory]
    [InlineData(MetricType.L2, false)]
    [InlineData(MetricType.IP, true)]
    [InlineData(MetricType.Cosine, false)]
    [InlineData(MetricType.Cosine, true)]
    public void BatchOfQueriesEqualsOneQueryAtATime(MetricType metric, bool filtered)
    {
        var rng = new Random(Seed + 5);
        foreach (int dim in new[] { 9, 128, 1000 })
        {
            int rows = Distance.RowsPerTile(dim) * 2 + 77;
            const int nq = 6;
            var data = VectorTestData.RandomVectors(rng, rows, dim);
            var queries = VectorTestData.RandomVectors(rng, nq, dim);
            var filter = filtered ? VectorTestData.RandomFilter(rng, rows, 0.4) : null;
            var batch = Enumerable.Range(0, nq).Select(_ => new TopKCollector(10, metric)).ToArray();
            FlatSearch.SearchBatch(data, dim, rows, queries, metric, batch, rowIdBase: 1, filterBits: filter);
            for (int j = 0; j < nq; j++)
            {
                var single = new TopKCollector(10, metric);
                FlatSearch.Search(data, dim, rows, queries.AsSpan(j * dim, dim), metric, single, rowIdBase: 1, filterBits: filter);
                var expected = VectorTestData.Results(single);
                AssertSameResults(expected, batch[j], $"seed {Seed + 5}, {metric}, dim {dim}, query {j}, filtered {filtered}");
            }
        }
    }

    [Fact]
    public void SeveralBlocksFeedingOneCollectorEqualOneBigBlock()
    {
        var rng = new Random(Seed + 6);
        const int dim = 32, rows = 1000;
        var data = VectorTestData.RandomVectors(rng, rows, dim);
        var query = VectorTestData.RandomVectors(rng, 1, dim);
        var whole = new TopKCollector(15, MetricType.IP);
        FlatSearch.Search(data, dim, rows, query, MetricType.IP, whole);
        var parts = new TopKCollector(15, MetricType.IP);
        FlatSearch.Search(data.AsSpan(0, 400 * dim), dim, 400, query, MetricType.IP, parts, rowIdBase: 0);
        FlatSearch.Search(data.AsSpan(400 * dim), dim, 600, query, MetricType.IP, parts, rowIdBase: 400);
        AssertSameResults(VectorTestData.Results(whole), parts, $"seed {Seed + 6}");
    }

    [Fact]
    public void CollectorMetricMustMatchSearchMetric()
    {
        var c = new TopKCollector(1, MetricType.L2);
        Assert.Throws<ArgumentException>(() => FlatSearch.Search(new float[4], 4, 1, new float[4], MetricType.IP, c));
    }

    [Fact]
    public void MisshapenInputsThrow()
    {
        var c = new TopKCollector(1, MetricType.L2);
        var rows = new float[40];
        Assert.Throws<ArgumentException>(() => FlatSearch.Search(rows, 4, 10, new float[5], MetricType.L2, c));
        Assert.Throws<ArgumentException>(() => FlatSearch.Search(rows, 4, 11, new float[4], MetricType.L2, c));
        Assert.Throws<ArgumentOutOfRangeException>(() => FlatSearch.Search(rows, 0, 10, new float[4], MetricType.L2, c));
        Assert.Throws<ArgumentException>(() => FlatSearch.SearchBatch(rows, 4, 10, new float[7], MetricType.L2, new[] { c, c }));
        Assert.Throws<ArgumentException>(() =>
            FlatSearch.SearchRange(rows, 4, 10, new float[4], MetricType.L2, ScoreRange.Create(MetricType.IP, 0f), c));
    }

    private static void AssertSameResults((long[] Ids, float[] Scores) expected, TopKCollector actual, string ctx)
    {
        var (ids, scores) = VectorTestData.Results(actual);
        Assert.True(expected.Ids.SequenceEqual(ids), $"{ctx}: ids [{string.Join(",", ids)}] vs expected [{string.Join(",", expected.Ids)}]");
        Assert.True(expected.Scores.SequenceEqual(scores), $"{ctx}: scores [{string.Join(",", scores)}] vs expected [{string.Join(",", expected.Scores)}]");
    }
}
