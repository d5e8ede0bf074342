using VectorAspire.Core.Indexes.Ivf;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Ivf;

/// <summary>
/// Balanced coarse k-means (<see cref="IvfBuildOptions.MaxListSizeFactor"/>) on a skewed mixture: 120 clusters
/// with log-normal weights (σ = 1) for 128 lists, where plain Lloyd leaves some centroids holding several
/// dense clusters.
/// </summary>
public sealed class KMeansBalanceTests
{
    private const int Seed = 7301;
    private const int Count = 20_000;
    private const int Dim = 32;
    private const int Clusters = 120;
    private const int Nlist = 128;
    private const int QueryCount = 100;
    private const double MeanList = (double)Count / Nlist;

    private static readonly Lazy<(float[] Rows, float[] Queries)> s_data =
        new(() => IvfTestData.Generate(Seed, Count, QueryCount, Dim, Clusters, weightSigma: 1.0));

    private static IvfFlatIndex Build(MetricType metric, double factor) =>
        IvfFlatIndex.Build(s_data.Value.Rows, Count, Dim, metric,
            new IvfBuildOptions { Nlist = Nlist, Threads = 2, TrainingRowsPerList = 32, TrainIterations = 8, MaxListSizeFactor = factor });

    private static (int Max, double SizeBiased) ListStats(IvfIndex index)
    {
        int max = 0;
        double squares = 0;
        for (int l = 0; l < index.Nlist; l++)
        {
            int n = index.ListSize(l);
            max = Math.Max(max, n);
            squares += (double)n * n;
        }
        return (max, squares / Count);
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    public void BalancedTrainingBoundsTheLargestListAndKeepsRecall(MetricType metric)
    {
        var plain = Build(metric, 0);
        var balanced = Build(metric, new IvfBuildOptions().MaxListSizeFactor);
        var (plainMax, plainBiased) = ListStats(plain);
        var (max, biased) = ListStats(balanced);
        string stats = $"seed {Seed}: largest list plain {plainMax / MeanList:F2}x mean, balanced {max / MeanList:F2}x; " +
            $"size-biased mean plain {plainBiased:F0}, balanced {biased:F0}";
        Assert.True(plainMax > 2 * MeanList, "the data should be skewed enough to matter; " + stats);
        Assert.True(max <= 2 * MeanList, stats);
        Assert.True(biased < 0.95 * plainBiased, stats);

        double plain4 = Recall(plain, metric, 4), recall4 = Recall(balanced, metric, 4), recall16 = Recall(balanced, metric, 16);
        string recalls = $"seed {Seed}: recall@10 at nprobe 4 plain {plain4:F3} balanced {recall4:F3}, at nprobe 16 balanced {recall16:F3}";
        Assert.True(recall4 >= plain4 - 0.02, recalls);
        Assert.True(recall16 >= 0.95, recalls);
    }

    [Fact]
    public void BalancedKMeansIsDeterministicForASeedAndIndependentOfThreads()
    {
        var rows = s_data.Value.Rows;
        var a = KMeans.Train(rows, 4000, Dim, 40, 8, seed: 5, threads: 1, maxClusterFactor: 1.5);
        var b = KMeans.Train(rows, 4000, Dim, 40, 8, seed: 5, threads: 2, maxClusterFactor: 1.5);
        var c = KMeans.Train(rows, 4000, Dim, 40, 8, seed: 6, threads: 2, maxClusterFactor: 1.5);
        var plain = KMeans.Train(rows, 4000, Dim, 40, 8, seed: 5, threads: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, plain);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0.5)]
    public void MaxListSizeFactorBelowOneIsRefused(double factor) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Build(MetricType.L2, factor));

    private static double Recall(IvfIndex index, MetricType metric, int nprobe)
    {
        var (rows, queries) = s_data.Value;
        int hits = 0, total = 0;
        var exact = new TopKCollector(10, metric);
        for (int i = 0; i < QueryCount; i++)
        {
            var query = queries.AsSpan(i * Dim, Dim);
            exact.Reset();
            FlatSearch.Search(rows, Dim, Count, query, metric, exact);
            var truth = IvfTestData.Sorted(exact).Ids;
            var got = IvfTestData.Search(index, query, 10, nprobe).Ids;
            total += truth.Length;
            foreach (long id in got)
            {
                if (Array.IndexOf(truth, id) >= 0)
                    hits++;
            }
        }
        return (double)hits / total;
    }
}
