using VectorAspire.Core.Indexes;
using VectorAspire.Core.Indexes.Hnsw;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Hnsw;

/// <summary>Seeded Gaussian-mixture data (clusters of different spread, like the anchor benchmark's generator) and
/// the exact-search oracle.</summary>
internal static class HnswTestData
{
    public const int Seed = 20261122;

    public static float[] Clustered(Random rng, int count, int dim, int clusters)
    {
        var centres = new float[clusters * dim];
        for (int i = 0; i < centres.Length; i++)
            centres[i] = Gaussian(rng) * 3f;
        var spread = new float[clusters];
        for (int c = 0; c < clusters; c++)
            spread[c] = 0.5f + (float)rng.NextDouble();
        var data = new float[count * dim];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(clusters);
            for (int d = 0; d < dim; d++)
                data[(i * dim) + d] = centres[(c * dim) + d] + (Gaussian(rng) * spread[c]);
        }
        return data;
    }

    public static float Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public static ulong[] Filter(Random rng, int count, double density)
    {
        var bits = new ulong[(count + 63) / 64];
        for (int i = 0; i < count; i++)
        {
            if (rng.NextDouble() < density)
                bits[i >> 6] |= 1UL << i;
        }
        return bits;
    }

    public static bool IsSet(ulong[] bits, long row) => (bits[row >> 6] & (1UL << (int)row)) != 0;

    /// <summary>Exact top-k ids per query (the recall oracle).</summary>
    public static long[][] Exact(float[] data, int count, int dim, float[] queries, int nq, MetricType metric, int k, ulong[]? filter = null)
    {
        var result = new long[nq][];
        var collector = new TopKCollector(k, metric);
        var scores = new float[k];
        for (int q = 0; q < nq; q++)
        {
            collector.Reset();
            FlatSearch.Search(data, dim, count, queries.AsSpan(q * dim, dim), metric, collector, 0, filter ?? default);
            var ids = new long[collector.Count];
            collector.CopySorted(ids, scores);
            result[q] = ids;
        }
        return result;
    }

    public static long[][] Search(IVectorIndex index, float[] queries, int nq, int k, int ef, ulong[]? filter = null, float refineK = 0)
    {
        var result = new long[nq][];
        var collector = new TopKCollector(k, index.Metric);
        var scores = new float[k];
        for (int q = 0; q < nq; q++)
        {
            collector.Reset();
            index.Search(queries.AsSpan(q * index.Dim, index.Dim), collector, filter ?? default, new IndexSearchParams(Ef: ef, RefineK: refineK));
            var ids = new long[collector.Count];
            collector.CopySorted(ids, scores);
            result[q] = ids;
        }
        return result;
    }

    public static double Recall(long[][] truth, long[][] found)
    {
        long hit = 0, total = 0;
        for (int q = 0; q < truth.Length; q++)
        {
            total += truth[q].Length;
            foreach (long id in found[q])
            {
                if (Array.IndexOf(truth[q], id) >= 0)
                    hit++;
            }
        }
        return total == 0 ? 1.0 : (double)hit / total;
    }
}

/// <summary>Indexes built once for the whole test class: 10k × 64, 50 clusters, M = 16, efConstruction = 64 (small
/// enough for Debug builds on a loaded machine). The SQ indexes share the float graphs.</summary>
public sealed class HnswFixture
{
    public const int Count = 10_000;
    public const int Dim = 64;
    public const int Queries = 200;

    private readonly Dictionary<string, HnswIndex> _indexes = [];
    private readonly System.Threading.Lock _lock = new();

    public HnswFixture()
    {
        var rng = new Random(HnswTestData.Seed);
        Data = HnswTestData.Clustered(rng, Count, Dim, 50);
        QueryData = HnswTestData.Clustered(new Random(HnswTestData.Seed + 1), Queries, Dim, 50);
        // Queries from the same mixture: draw them near data points so they share the clusters.
        for (int q = 0; q < Queries; q++)
        {
            int row = rng.Next(Count);
            for (int d = 0; d < Dim; d++)
                QueryData[(q * Dim) + d] = Data[(row * Dim) + d] + (HnswTestData.Gaussian(rng) * 0.5f);
        }
    }

    public float[] Data { get; }

    public float[] QueryData { get; }

    /// <summary>kind: "L2", "IP", "COSINE", "L2-1thread", "SQ-L2", "SQ-IP", "SQ-L2-norefine".</summary>
    public HnswIndex Get(string kind)
    {
        lock (_lock)
        {
            if (_indexes.TryGetValue(kind, out var index))
                return index;
            var options = new HnswBuildOptions(16, 64, 7, kind.EndsWith("1thread", StringComparison.Ordinal) ? 1 : 2);
            var metric = kind.Contains("IP", StringComparison.Ordinal) ? MetricType.IP : kind.Contains("COSINE", StringComparison.Ordinal) ? MetricType.Cosine : MetricType.L2;
            index = kind.StartsWith("SQ-", StringComparison.Ordinal)
                ? HnswIndex.Quantize(Get(metric == MetricType.IP ? "IP" : "L2"), refine: !kind.EndsWith("norefine", StringComparison.Ordinal))
                : HnswIndex.Build(Data, Count, Dim, metric, options);
            _indexes[kind] = index;
            return index;
        }
    }
}
