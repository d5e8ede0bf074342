using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Vectors;

/// <summary>Seeded random data and the naive oracles the vector tests compare against.</summary>
internal static class VectorTestData
{
    public static readonly int[] Dims = [.. Enumerable.Range(1, 70), 127, 128, 129, 768, 1000];

    public static float[] RandomVectors(Random rng, int count, int dim)
    {
        var v = new float[count * dim];
        for (int i = 0; i < v.Length; i++)
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        return v;
    }

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

    public static bool IsSet(ReadOnlySpan<ulong> filter, int row) => filter.IsEmpty || (filter[row >> 6] & (1UL << row)) != 0;

    /// <summary>Scores every eligible row with the public single-row kernel (query normalised for Cosine), keeps
    /// the in-range ones, and sorts best-first with ties by smaller id: what FLAT search must return.</summary>
    public static (long[] Ids, float[] Scores) NaiveSearch(
        float[] rows, int dim, int rowCount, float[] query, MetricType metric, int k, long idBase,
        ulong[]? filter = null, ScoreRange? range = null)
    {
        var q = (float[])query.Clone();
        if (metric == MetricType.Cosine)
            Distance.Normalize(q);
        var all = new List<(long Id, float Score)>();
        for (int i = 0; i < rowCount; i++)
        {
            if (filter is not null && !IsSet(filter, i))
                continue;
            float s = Distance.Score(metric, q, rows.AsSpan(i * dim, dim));
            if (range is { } r && !r.Contains(s))
                continue;
            all.Add((idBase + i, s));
        }
        all.Sort((a, b) => metric.IsBetter(a.Score, a.Id, b.Score, b.Id) ? -1 : metric.IsBetter(b.Score, b.Id, a.Score, a.Id) ? 1 : 0);
        var top = all.Take(k).ToArray();
        return (top.Select(t => t.Id).ToArray(), top.Select(t => t.Score).ToArray());
    }

    public static (long[] Ids, float[] Scores) Results(TopKCollector c)
    {
        var ids = new long[c.Count];
        var scores = new float[c.Count];
        c.CopySorted(ids, scores);
        return (ids, scores);
    }
}
