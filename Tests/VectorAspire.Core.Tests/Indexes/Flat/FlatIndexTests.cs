using VectorAspire.Core.Indexes;
using VectorAspire.Core.Indexes.Flat;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Flat;

public sealed class FlatIndexTests
{
    [Fact]
    public void FlatIndexIsExactAndRoundTripsOverTheSegmentVectors()
    {
        var rng = new Random(5);
        const int n = 500, dim = 16;
        var data = new float[n * dim];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)rng.NextDouble();
        var index = VectorIndexFactory.Build("FLAT", data, n, dim, MetricType.IP, new Dictionary<string, string>(), 1, CancellationToken.None);
        var loaded = VectorIndexFactory.Load("FLAT", index.Serialize(), data);
        Assert.Equal("FLAT", loaded.IndexType);
        var query = data.AsSpan(7 * dim, dim);
        var expected = new TopKCollector(5, MetricType.IP);
        FlatSearch.Search(data, dim, n, query, MetricType.IP, expected, 100);
        var actual = new TopKCollector(5, MetricType.IP);
        loaded.Search(query, actual, default, default, null, 100);
        var ei = new long[5];
        var ai = new long[5];
        var es = new float[5];
        var @as = new float[5];
        expected.CopySorted(ei, es);
        actual.CopySorted(ai, @as);
        Assert.Equal(ei, ai);
        Assert.Equal(es, @as);
        Assert.Throws<InvalidDataException>(() => VectorIndexFactory.Load("FLAT", new byte[3], data));
    }
}
