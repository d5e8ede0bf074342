using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Vectors;

public sealed class MetricTypeTests
{
    [Theory]
    [InlineData("L2", MetricType.L2)]
    [InlineData("l2", MetricType.L2)]
    [InlineData("IP", MetricType.IP)]
    [InlineData("ip", MetricType.IP)]
    [InlineData("COSINE", MetricType.Cosine)]
    [InlineData("Cosine", MetricType.Cosine)]
    [InlineData(" cosine ", MetricType.Cosine)]
    public void ParsesMilvusNamesIgnoringCase(string name, MetricType expected) =>
        Assert.Equal(expected, Metrics.Parse(name));

    [Theory]
    [InlineData("HAMMING", "HAMMING is not supported for FloatVector")]
    [InlineData("jaccard", "JACCARD is not supported for FloatVector")]
    [InlineData("BM25", "BM25 is not supported for FloatVector")]
    [InlineData("EUCLID", "'EUCLID' is not supported for FloatVector")]
    [InlineData("", "metric type is empty")]
    public void RejectsNonFloatMetricsWithAClearMessage(string name, string expectedFragment)
    {
        var ex = Assert.Throws<ArgumentException>(() => Metrics.Parse(name));
        Assert.Contains(expectedFragment, ex.Message, StringComparison.Ordinal);
        Assert.Contains("use L2, IP or COSINE", ex.Message, StringComparison.Ordinal);
        Assert.False(Metrics.TryParse(name, out _));
    }

    [Fact]
    public void RoundTripsMilvusNames()
    {
        foreach (var m in new[] { MetricType.L2, MetricType.IP, MetricType.Cosine })
            Assert.Equal(m, Metrics.Parse(m.ToMilvusName()));
        Assert.Equal("COSINE", MetricType.Cosine.ToMilvusName());
    }

    [Fact]
    public void L2PrefersSmallerAndSimilaritiesPreferLarger()
    {
        Assert.True(MetricType.L2.IsBetter(1f, 2f));
        Assert.False(MetricType.L2.IsBetter(2f, 1f));
        Assert.True(MetricType.IP.IsBetter(2f, 1f));
        Assert.True(MetricType.Cosine.IsBetter(0.9f, 0.1f));
        Assert.False(MetricType.IP.IsBetter(1f, 1f));
        Assert.True(MetricType.IP.IsBetter(1f, 3, 1f, 7));
        Assert.False(MetricType.L2.IsBetter(1f, 7, 1f, 3));
        Assert.True(MetricType.L2.IsBetter(0f, MetricType.L2.WorstScore()));
        Assert.True(MetricType.IP.IsBetter(-1e30f, MetricType.IP.WorstScore()));
    }
}
