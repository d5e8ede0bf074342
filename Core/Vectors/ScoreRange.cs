using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Vectors;

/// <summary>
/// Milvus range-search bounds. L2: keep rows with <c>rangeFilter ≤ distance &lt; radius</c>. IP and Cosine:
/// keep rows with <c>radius &lt; score ≤ rangeFilter</c>. <c>rangeFilter</c> is optional (unbounded when null).
/// </summary>
public readonly struct ScoreRange
{
    private ScoreRange(MetricType metric, float radius, float rangeFilter)
    {
        Metric = metric;
        Radius = radius;
        RangeFilter = rangeFilter;
    }

    public MetricType Metric { get; }

    public float Radius { get; }

    /// <summary>The inner bound; −∞ (L2) or +∞ (IP, Cosine) when not given.</summary>
    public float RangeFilter { get; }

    /// <exception cref="ArgumentException">The bounds are NaN or in the wrong order for the metric (Milvus rejects
    /// these too: for L2 range_filter must be less than radius, for IP/COSINE greater).</exception>
    public static ScoreRange Create(MetricType metric, float radius, float? rangeFilter = null)
    {
        if (float.IsNaN(radius) || (rangeFilter is { } rf0 && float.IsNaN(rf0)))
            throw new ArgumentException("radius and range_filter must be numbers");
        bool l2 = metric == MetricType.L2;
        float rf = rangeFilter ?? (l2 ? float.NegativeInfinity : float.PositiveInfinity);
        if (l2 && rangeFilter.HasValue && !(rf < radius))
            throw new ArgumentException($"range_filter ({rf}) must be less than radius ({radius}) for metric L2");
        if (!l2 && rangeFilter.HasValue && !(rf > radius))
            throw new ArgumentException($"range_filter ({rf}) must be greater than radius ({radius}) for metric {metric.ToMilvusName()}");
        return new ScoreRange(metric, radius, rf);
    }

    public bool Contains(float score) => Metric == MetricType.L2
        ? score >= RangeFilter && score < Radius
        : score > Radius && score <= RangeFilter;
}

/// <summary>Which scores a scan offers to the collector; a struct so the unfiltered case compiles to nothing.</summary>
internal interface IScoreFilter
{
    bool Accept(float score);
}

internal readonly struct AcceptAll : IScoreFilter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Accept(float score) => true;
}

internal readonly struct DistanceRange(float rangeFilter, float radius) : IScoreFilter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Accept(float score) => score >= rangeFilter && score < radius;
}

internal readonly struct SimilarityRange(float radius, float rangeFilter) : IScoreFilter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Accept(float score) => score > radius && score <= rangeFilter;
}
