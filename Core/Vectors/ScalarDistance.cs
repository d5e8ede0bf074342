namespace VectorAspire.Core.Vectors;

/// <summary>
/// Plain-loop reference implementations, accumulated in double: the oracle the SIMD kernels are tested against.
/// Never used on a search path.
/// </summary>
public static class ScalarDistance
{
    public static float L2Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        RequireSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            s += d * d;
        }
        return (float)s;
    }

    public static float InnerProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        RequireSameLength(a, b);
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += (double)a[i] * b[i];
        return (float)s;
    }

    /// <summary>Cosine similarity of two arbitrary vectors; 0 when either is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        RequireSameLength(a, b);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return na > 0 && nb > 0 ? (float)(dot / (Math.Sqrt(na) * Math.Sqrt(nb))) : 0f;
    }

    /// <summary>The Milvus score of <paramref name="x"/> against <paramref name="query"/> (any query norm).</summary>
    public static float Score(MetricType metric, ReadOnlySpan<float> query, ReadOnlySpan<float> x) => metric switch
    {
        MetricType.L2 => L2Squared(query, x),
        MetricType.IP => InnerProduct(query, x),
        MetricType.Cosine => Cosine(query, x),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type"),
    };

    private static void RequireSameLength(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"vectors differ in length ({a.Length} vs {b.Length})");
    }
}
