using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Vectors;

/// <summary>Float-vector metrics as Milvus names them. L2 scores are squared Euclidean distances (smaller is
/// better); IP and Cosine scores are similarities (larger is better).</summary>
public enum MetricType
{
    L2,
    IP,
    Cosine,
}

/// <summary>Milvus metric names and the score ordering of each metric.</summary>
public static class Metrics
{
    /// <summary>Parses a Milvus metric name ("L2", "IP", "COSINE"), ignoring case.</summary>
    /// <exception cref="ArgumentException">The name is not a float-vector metric.</exception>
    public static MetricType Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryParse(name, out var metric))
            return metric;
        throw new ArgumentException(DescribeUnsupported(name), nameof(name));
    }

    public static bool TryParse(string? name, out MetricType metric)
    {
        var span = name.AsSpan().Trim();
        if (span.Equals("L2", StringComparison.OrdinalIgnoreCase))
        {
            metric = MetricType.L2;
            return true;
        }
        if (span.Equals("IP", StringComparison.OrdinalIgnoreCase))
        {
            metric = MetricType.IP;
            return true;
        }
        if (span.Equals("COSINE", StringComparison.OrdinalIgnoreCase))
        {
            metric = MetricType.Cosine;
            return true;
        }
        metric = default;
        return false;
    }

    /// <summary>The name Milvus uses on the wire and in index params.</summary>
    public static string ToMilvusName(this MetricType metric) => metric switch
    {
        MetricType.L2 => "L2",
        MetricType.IP => "IP",
        MetricType.Cosine => "COSINE",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type"),
    };

    /// <summary>True for similarity metrics (IP, Cosine), false for distances (L2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HigherIsBetter(this MetricType metric) => metric != MetricType.L2;

    /// <summary>True when score <paramref name="a"/> ranks strictly before score <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBetter(this MetricType metric, float a, float b) =>
        metric == MetricType.L2 ? a < b : a > b;

    /// <summary>Total order used for results: better score first, then smaller id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBetter(this MetricType metric, float scoreA, long idA, float scoreB, long idB) =>
        metric.IsBetter(scoreA, scoreB) || (scoreA == scoreB && idA < idB);

    /// <summary>The worst possible score: a result slot holding it is beaten by any real score.</summary>
    public static float WorstScore(this MetricType metric) =>
        metric == MetricType.L2 ? float.PositiveInfinity : float.NegativeInfinity;

    private static string DescribeUnsupported(string name)
    {
        var trimmed = name.Trim();
        var upper = trimmed.ToUpperInvariant();
        return upper switch
        {
            "" => "metric type is empty; use L2, IP or COSINE for FloatVector",
            "HAMMING" or "JACCARD" or "TANIMOTO" or "SUBSTRUCTURE" or "SUPERSTRUCTURE" or "MHJACCARD" =>
                $"metric type {upper} is not supported for FloatVector (it applies to BinaryVector); use L2, IP or COSINE",
            "BM25" => "metric type BM25 is not supported for FloatVector (it applies to SparseFloatVector); use L2, IP or COSINE",
            _ => $"metric type '{trimmed}' is not supported for FloatVector; use L2, IP or COSINE",
        };
    }
}
