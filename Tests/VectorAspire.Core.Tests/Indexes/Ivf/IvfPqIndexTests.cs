using VectorAspire.Core.Indexes;
using VectorAspire.Core.Indexes.Ivf;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Ivf;

public sealed class IvfPqIndexTests : IvfIndexContractTests
{
    protected override string IndexType => "IVF_PQ";

    protected override double RecallFloor => 0.95;

    protected override Dictionary<string, string> SmallParameters() => new() { ["nlist"] = "4", ["m"] = "4", ["nbits"] = "4" };

    [Fact]
    public void DefaultsAreMilvusLike()
    {
        var index = (IvfPqIndex)Index(MetricType.L2);
        Assert.Equal(IvfTestData.Dim / 4, index.M);
        Assert.Equal(8, index.Nbits);
        Assert.Equal(IvfPqIndex.DefaultRefineFactor, index.RefineFactor);
    }

    [Fact]
    public void ReturnedScoresAreExact()
    {
        var index = Index(MetricType.Cosine);
        var q = IvfTestData.Query(3);
        var (ids, scores) = IvfTestData.Search(index, q, 10, 16);
        var unit = q.ToArray();
        Distance.Normalize(unit);
        for (int i = 0; i < ids.Length; i++)
            Assert.Equal(Distance.CosineUnitQuery(unit, IvfTestData.Rows.AsSpan((int)ids[i] * IvfTestData.Dim, IvfTestData.Dim)), scores[i]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    public void OtherCodeWidthsRoundTrip(int nbits)
    {
        var (rows, queries) = IvfTestData.Generate(21, 1500, 4, 16, 5);
        var p = new Dictionary<string, string> { ["nlist"] = "8", ["m"] = "4", ["nbits"] = nbits.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var index = VectorIndexFactory.Build("IVF_PQ", rows, 1500, 16, MetricType.L2, p, 1, CancellationToken.None);
        var loaded = VectorIndexFactory.Load("IVF_PQ", index.Serialize(), rows);
        var a = IvfTestData.Search(index, queries.AsSpan(0, 16), 10, 8);
        var b = IvfTestData.Search(loaded, queries.AsSpan(0, 16), 10, 8);
        Assert.Equal(10, a.Ids.Length);
        Assert.Equal(a.Ids, b.Ids);
    }

    [Fact]
    public void RefineKOverridesTheBuildTimeRefineFactor()
    {
        var index = Index(MetricType.L2);
        double Recall(float refineK)
        {
            double hits = 0;
            for (int i = 0; i < IvfTestData.QueryCount; i++)
            {
                var truth = IvfTestData.Exact(IvfTestData.Query(i), MetricType.L2, IvfTestData.K);
                var got = IvfTestData.Search(index, IvfTestData.Query(i), IvfTestData.K, 16, refineK: refineK).Ids;
                hits += got.Intersect(truth).Count();
            }
            return hits / (IvfTestData.QueryCount * IvfTestData.K);
        }
        double one = Recall(1), deflt = Recall(0), many = Recall(IvfPqIndex.DefaultRefineFactor);
        Assert.Equal(deflt, many);
        Assert.True(many > one, $"refine_k=8 recall {many:F4} should beat refine_k=1 {one:F4}");
    }

    [Fact]
    public void LoadWithoutRawVectorsIsRejected()
    {
        var bytes = Index(MetricType.L2).Serialize();
        _ = Assert.Throws<ArgumentException>(() => VectorIndexFactory.Load("IVF_PQ", bytes, ReadOnlyMemory<float>.Empty));
    }
}
