using VectorAspire.Core.Indexes.Ivf;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Ivf;

public sealed class IvfFlatIndexTests : IvfIndexContractTests
{
    protected override string IndexType => "IVF_FLAT";

    protected override double RecallFloor => 0.95;

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.Cosine)]
    public void NprobeEqualToNlistIsExact(MetricType metric)
    {
        var index = Index(metric);
        for (int i = 0; i < 30; i++)
        {
            var truth = IvfTestData.Exact(IvfTestData.Query(i), metric, 10);
            var got = IvfTestData.Search(index, IvfTestData.Query(i), 10, IvfTestData.Nlist).Ids;
            Assert.Equal(truth, got);
        }
    }

    [Fact]
    public void RecallGrowsWithNprobeAndOneListIsNotEnough()
    {
        var index = Index(MetricType.L2);
        double r1 = IvfTestData.Recall(index, 1), r4 = IvfTestData.Recall(index, 4), r16 = IvfTestData.Recall(index, 16);
        Assert.True(r1 < 0.99 && r1 <= r4 && r4 <= r16, $"recall@10 by nprobe 1/4/16: {r1:F3} {r4:F3} {r16:F3}");
    }

    [Fact]
    public void ListsPartitionTheRows()
    {
        var index = (IvfFlatIndex)Index(MetricType.L2);
        Assert.Equal(IvfTestData.Nlist, index.Nlist);
        int total = 0;
        for (int l = 0; l < index.Nlist; l++)
            total += index.ListSize(l);
        Assert.Equal(IvfTestData.Count, total);
    }

    [Fact]
    public void KMeansIsDeterministicForASeedAndIndependentOfThreads()
    {
        var (rows, _) = IvfTestData.Generate(11, 3000, 1, 32, 10);
        var a = KMeans.Train(rows, 3000, 32, 40, 8, seed: 5, threads: 1);
        var b = KMeans.Train(rows, 3000, 32, 40, 8, seed: 5, threads: 2);
        var c = KMeans.Train(rows, 3000, 32, 40, 8, seed: 6, threads: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void KMeansLeavesNoCentroidEmpty()
    {
        // Many duplicate rows: random init picks the same point several times, so clusters start empty.
        var rows = new float[2000 * 4];
        var rng = new Random(1);
        for (int i = 0; i < 2000; i++)
        {
            int c = i % 5;
            for (int d = 0; d < 4; d++)
                rows[(i * 4) + d] = c * 10 + (i < 1500 ? 0 : (float)rng.NextDouble());
        }
        var centroids = KMeans.Train(rows, 2000, 4, 16, 10, seed: 3, threads: 1);
        var assign = new int[2000];
        KMeans.Assign(rows, 2000, 4, centroids, 16, MetricType.L2, assign, 1);
        var used = assign.Distinct().Count();
        Assert.True(used >= 10, $"only {used} of 16 centroids have rows");
    }
}
