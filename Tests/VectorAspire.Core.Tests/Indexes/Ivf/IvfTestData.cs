using System.Collections.Concurrent;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Indexes.Ivf;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Ivf;

/// <summary>
/// Seeded Gaussian-mixture data (20,000 × 64, 50 clusters) and indexes built on it once per test run, with exact
/// FLAT search as the recall oracle.
/// </summary>
internal static class IvfTestData
{
    public const int Seed = 20261122;
    public const int Count = 20_000;
    public const int Dim = 64;
    public const int Clusters = 50;
    public const int QueryCount = 100;
    public const int Nlist = 128;
    public const int K = 10;

    private static readonly Lazy<(float[] Rows, float[] Queries)> s_data = new(() => Generate(Seed, Count, QueryCount, Dim, Clusters));
    private static readonly ConcurrentDictionary<(string, MetricType), Lazy<IVectorIndex>> s_indexes = new();
    private static readonly ConcurrentDictionary<(MetricType, ulong[]?), Lazy<long[][]>> s_truth = new();

    public static float[] Rows => s_data.Value.Rows;

    public static float[] Queries => s_data.Value.Queries;

    public static ReadOnlySpan<float> Query(int i) => Queries.AsSpan(i * Dim, Dim);

    /// <summary>
    /// Gaussian mixture shaped like embeddings (and like the benchmark generator): row = c_k + A_k z + 0.2 e, with
    /// centres c_k ~ N(0, I), a per-cluster rank-8 basis A_k whose column j has norm 3/√(j+1), z, e ~ N(0, I).
    /// Clusters are equally likely, or with <paramref name="weightSigma"/> &gt; 0 drawn with log-normal weights
    /// exp(σ·g), g ~ N(0, 1) (unequal clusters, as in the benchmark data).
    /// </summary>
    public static (float[] Rows, float[] Queries) Generate(int seed, int count, int queries, int dim, int clusters, double weightSigma = 0)
    {
        const int Rank = 8;
        var rng = new Random(seed);
        var centers = new float[clusters * dim];
        for (int i = 0; i < centers.Length; i++)
            centers[i] = (float)Gaussian(rng);
        var bases = new float[clusters * Rank * dim];
        for (int c = 0; c < clusters; c++)
        {
            for (int j = 0; j < Rank; j++)
            {
                double norm = 3.0 / Math.Sqrt(j + 1) / Math.Sqrt(dim);
                for (int d = 0; d < dim; d++)
                    bases[(((c * Rank) + j) * dim) + d] = (float)(Gaussian(rng) * norm);
            }
        }
        double[]? cumulative = null;
        if (weightSigma > 0)
        {
            cumulative = new double[clusters];
            double total = 0;
            for (int c = 0; c < clusters; c++)
            {
                total += Math.Exp(weightSigma * Gaussian(rng));
                cumulative[c] = total;
            }
        }
        var z = new double[Rank];
        float[] Sample(int n)
        {
            var v = new float[n * dim];
            for (int i = 0; i < n; i++)
            {
                int c = cumulative is null ? rng.Next(clusters) : PickWeighted(cumulative, rng.NextDouble() * cumulative[^1]);
                for (int j = 0; j < Rank; j++)
                    z[j] = Gaussian(rng);
                for (int d = 0; d < dim; d++)
                {
                    double x = centers[(c * dim) + d] + (Gaussian(rng) * 0.2);
                    for (int j = 0; j < Rank; j++)
                        x += bases[(((c * Rank) + j) * dim) + d] * z[j];
                    v[(i * dim) + d] = (float)x;
                }
            }
            return v;
        }
        var rows = Sample(count);
        return (rows, Sample(queries));
    }

    private static int PickWeighted(double[] cumulative, double u)
    {
        int c = Array.BinarySearch(cumulative, u);
        return Math.Min(c < 0 ? ~c : c, cumulative.Length - 1);
    }

    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>The index of <paramref name="indexType"/> on the shared data, built once (nlist 128, 2 threads, shortened training).</summary>
    public static IVectorIndex Index(string indexType, MetricType metric) =>
        s_indexes.GetOrAdd((indexType, metric), key => new Lazy<IVectorIndex>(() =>
        {
            // Lighter training than the defaults (which the factory tests use): unoptimised (Debug) test builds run
            // the k-means kernels several times slower than Release.
            var options = new IvfBuildOptions { Nlist = Nlist, Threads = 2, TrainingRowsPerList = 32, TrainingRowsPerCode = 16, TrainIterations = 6 };
            return key.Item1 switch
            {
                IvfFlatIndex.TypeName => IvfFlatIndex.Build(Rows, Count, Dim, key.Item2, options),
                IvfSq8Index.TypeName => IvfSq8Index.Build(Rows, Count, Dim, key.Item2, options),
                _ => (IVectorIndex)IvfPqIndex.Build(Rows, Count, Dim, key.Item2, options, IvfPqIndex.DefaultM(Dim)),
            };
        })).Value;

    public static long[] Exact(ReadOnlySpan<float> query, MetricType metric, int k, ReadOnlySpan<ulong> filter = default, ScoreRange? range = null)
    {
        var c = new TopKCollector(k, metric);
        if (range is { } r)
            FlatSearch.SearchRange(Rows, Dim, Count, query, metric, r, c, 0, filter);
        else
            FlatSearch.Search(Rows, Dim, Count, query, metric, c, 0, filter);
        return Sorted(c).Ids;
    }

    public static (long[] Ids, float[] Scores) Search(IVectorIndex index, ReadOnlySpan<float> query, int k, int nprobe,
        ReadOnlySpan<ulong> filter = default, ScoreRange? range = null, long rowIdBase = 0, float refineK = 0)
    {
        var c = new TopKCollector(k, index.Metric);
        index.Search(query, c, filter, new IndexSearchParams(Nprobe: nprobe, RefineK: refineK), range, rowIdBase);
        return Sorted(c);
    }

    public static (long[] Ids, float[] Scores) Sorted(TopKCollector c)
    {
        var ids = new long[c.Count];
        var scores = new float[c.Count];
        c.CopySorted(ids, scores);
        return (ids, scores);
    }

    /// <summary>Mean recall@k of the index against exact search over all queries.</summary>
    public static double Recall(IVectorIndex index, int nprobe, int k = K, ulong[]? filter = null)
    {
        int hits = 0, total = 0;
        var truths = k == K ? Truth(index.Metric, filter) : null;
        for (int i = 0; i < QueryCount; i++)
        {
            var truth = truths is null ? Exact(Query(i), index.Metric, k, filter) : truths[i];
            var got = Search(index, Query(i), k, nprobe, filter).Ids;
            total += truth.Length;
            foreach (long id in got)
            {
                if (Array.IndexOf(truth, id) >= 0)
                    hits++;
            }
        }
        return total == 0 ? 1.0 : (double)hits / total;
    }

    /// <summary>Exact top-10 of every query, computed once per (metric, filter instance).</summary>
    private static long[][] Truth(MetricType metric, ulong[]? filter) =>
        s_truth.GetOrAdd((metric, filter), key => new Lazy<long[][]>(() =>
            [.. Enumerable.Range(0, QueryCount).Select(i => Exact(Query(i), key.Item1, K, key.Item2))])).Value;

    private static readonly ConcurrentDictionary<double, ulong[]> s_filters = new();

    /// <summary>The shared seeded filter of this density (one instance, so its exact results are cached).</summary>
    public static ulong[] Filter(double density) =>
        s_filters.GetOrAdd(density, d => RandomFilter(new Random(Seed + (int)(d * 1000)), Count, d));

    public static ulong[] RandomFilter(Random rng, int rowCount, double density)
    {
        var words = new ulong[(rowCount + 63) / 64];
        for (int i = 0; i < rowCount; i++)
        {
            if (rng.NextDouble() < density)
                words[i >> 6] |= 1UL << i;
        }
        return words;
    }

    public static bool IsSet(ulong[] filter, long row) => (filter[row >> 6] & (1UL << (int)row)) != 0;
}
