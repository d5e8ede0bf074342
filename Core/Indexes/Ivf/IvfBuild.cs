using System.Globalization;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>Milvus build parameters of the IVF family, parsed for <see cref="VectorIndexFactory"/>.</summary>
public static class IvfBuild
{
    /// <summary>nlist (default 128) and the thread count; the other knobs keep their defaults.</summary>
    public static IvfBuildOptions Options(IReadOnlyDictionary<string, string> parameters, int threads) => new()
    {
        Nlist = Int(parameters, "nlist", IvfIndex.DefaultNlist, 1, 65536),
        Threads = Math.Max(1, threads),
    };

    /// <summary>An integer parameter in [min, max], or <paramref name="fallback"/> when absent.</summary>
    public static int Int(IReadOnlyDictionary<string, string> parameters, string key, int fallback, int min, int max)
    {
        if (!parameters.TryGetValue(key, out var raw))
            return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new ArgumentException($"index parameter {key}={raw} is out of range: it must be an integer in [{min}, {max}]");
        return v;
    }

    internal static void Validate(int vectorValues, int count, int dim, MetricType metric, IvfBuildOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)vectorValues < (long)count * dim)
            throw new ArgumentException($"vectors hold {vectorValues} values, need {count} x {dim}");
        if (metric is not (MetricType.L2 or MetricType.IP or MetricType.Cosine))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Nlist, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TrainingRowsPerList, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TrainIterations);
        if (options.MaxListSizeFactor is not 0 and not >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxListSizeFactor, "MaxListSizeFactor must be 0 (off) or at least 1");
    }
}
