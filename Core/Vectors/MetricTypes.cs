using VectorAspire.Core.Errors;

namespace VectorAspire.Core.Vectors;

/// <summary>Metric names at the API boundary: <see cref="Metrics"/> with Milvus-shaped errors.</summary>
public static class MetricTypes
{
    public static MetricType Parse(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw new MilvusException(ErrorCodes.ParameterInvalid, "metric type is empty; use L2, IP or COSINE");
        return Metrics.TryParse(name, out var metric)
            ? metric
            : throw new MilvusException(ErrorCodes.ParameterInvalid, $"metric type '{name}' is not supported for FloatVector; use L2, IP or COSINE");
    }

    public static string Name(MetricType metric) => metric.ToMilvusName();
}
