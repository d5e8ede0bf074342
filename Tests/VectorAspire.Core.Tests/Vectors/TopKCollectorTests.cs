using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Vectors;

public sealed class TopKCollectorTests
{
    private const int Seed = 4242;

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.Cosine)]
    public void KeepsTheKBestWithTiesBrokenBySmallerId(MetricType metric)
    {
        var rng = new Random(Seed);
        foreach (int n in new[] { 0, 1, 5, 10, 11, 100, 1000 })
        {
            foreach (int k in new[] { 1, 3, 10, 64 })
            {
                // Few distinct values so ties are common; ids pushed in random order.
                var items = Enumerable.Range(0, n).Select(i => (Id: (long)i * 3, Score: rng.Next(0, 20) / 4f)).ToArray();
                rng.Shuffle(items);
                var c = new TopKCollector(k, metric);
                foreach (var (id, score) in items)
                    c.Push(id, score);

                var expected = items
                    .OrderBy(t => metric.HigherIsBetter() ? -t.Score : t.Score)
                    .ThenBy(t => t.Id)
                    .Take(k)
                    .ToArray();
                var (ids, scores) = VectorTestData.Results(c);
                var ctx = $"seed {Seed}, {metric}, n {n}, k {k}";
                Assert.True(expected.Select(t => t.Id).SequenceEqual(ids), $"{ctx}: ids [{string.Join(",", ids)}] vs [{string.Join(",", expected.Select(t => t.Id))}]");
                Assert.True(expected.Select(t => t.Score).SequenceEqual(scores), $"{ctx}: scores");
                Assert.Equal(Math.Min(n, k), c.Count);
            }
        }
    }

    [Fact]
    public void CopySortedLeavesTheCollectorUsable()
    {
        var c = new TopKCollector(3, MetricType.L2);
        c.Push(1, 5f);
        c.Push(2, 4f);
        var (ids1, _) = VectorTestData.Results(c);
        Assert.Equal([2L, 1L], ids1);
        c.Push(3, 1f);
        c.Push(4, 9f);
        c.Push(5, 0.5f);
        var (ids2, scores2) = VectorTestData.Results(c);
        Assert.Equal([5L, 3L, 2L], ids2);
        Assert.Equal([0.5f, 1f, 4f], scores2);
        Assert.Equal(4f, c.Threshold);
    }

    [Fact]
    public void ResetEmptiesAndCanChangeKAndMetric()
    {
        var c = new TopKCollector(8, MetricType.L2);
        for (int i = 0; i < 20; i++)
            c.Push(i, i);
        Assert.True(c.IsFull);
        c.Reset(2, MetricType.IP);
        Assert.Equal(0, c.Count);
        Assert.Equal(float.NegativeInfinity, c.Threshold);
        for (int i = 0; i < 20; i++)
            c.Push(i, i);
        var (ids, scores) = VectorTestData.Results(c);
        Assert.Equal([19L, 18L], ids);
        Assert.Equal([19f, 18f], scores);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Reset(9, MetricType.L2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopKCollector(0, MetricType.L2));
    }

    [Fact]
    public void IgnoresNaNAndAcceptsInfinities()
    {
        var c = new TopKCollector(3, MetricType.IP);
        c.Push(1, float.NaN);
        c.Push(2, float.NegativeInfinity);
        c.Push(3, 1f);
        c.Push(4, float.PositiveInfinity);
        c.Push(5, float.NaN);
        var (ids, _) = VectorTestData.Results(c);
        Assert.Equal([4L, 3L, 2L], ids);
    }

    [Fact]
    public void OutputSpansTooShortThrow()
    {
        var c = new TopKCollector(4, MetricType.L2);
        c.Push(1, 1f);
        c.Push(2, 2f);
        Assert.Throws<ArgumentException>(() => c.CopySorted(new long[1], new float[2]));
        Assert.Equal(2, c.CopySorted(new long[4], new float[4]));
    }
}
