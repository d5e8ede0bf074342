using VectorAspire.Core.Errors;

namespace VectorAspire.Core.Vectors;

/// <summary>Milvus metric names for float vectors.</summary>
public static class MetricTypes
{
    public static MetricType Parse(string? name) => name?.ToUpperInvariant() switch
    {
        "L2" => MetricType.L2,
        "IP" => MetricType.IP,
        "COSINE" => MetricType.Cosine,
        null or "" => throw new MilvusException(ErrorCodes.ParameterInvalid, "metric type is empty; use L2, IP or COSINE"),
        _ => throw new MilvusException(ErrorCodes.ParameterInvalid, $"metric type '{name}' is not supported for FloatVector; use L2, IP or COSINE"),
    };

    public static string Name(MetricType metric) => metric switch
    {
        MetricType.L2 => "L2",
        MetricType.IP => "IP",
        _ => "COSINE",
    };

    /// <summary>True when smaller scores are better (L2 distance); IP and COSINE are similarities.</summary>
    public static bool SmallerIsBetter(MetricType metric) => metric == MetricType.L2;
}
