namespace VectorAspire.AppHost.Kubernetes;

/// <summary>
/// How an orchestrator asks a resource whether it is ready and alive: HTTP GETs on its <see cref="EndpointName"/>
/// (null paths: a TCP connect). Aspire's manifest carries no health checks, so the Kubernetes generator reads probes
/// from this annotation, which <see cref="ProbeExtensions.WithProbes"/> adds together with the run-mode health check.
/// </summary>
public sealed record ProbeAnnotation(string EndpointName, string? ReadinessPath, string? LivenessPath) : IResourceAnnotation;

public static class ProbeExtensions
{
    /// <summary>Every project: the ServiceDefaults contract (<c>/health</c> all checks, <c>/alive</c> liveness only).</summary>
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>
    /// Declares the probes and, for HTTP ones, Aspire's health check on <paramref name="readinessPath"/> (a TCP probe's
    /// run-mode check is the caller's: its own check or the integration's).
    /// </summary>
    public static IResourceBuilder<T> WithProbes<T>(this IResourceBuilder<T> builder, string endpointName, string? readinessPath, string? livenessPath)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithAnnotation(new ProbeAnnotation(endpointName, readinessPath, livenessPath));
        return readinessPath is null ? builder : builder.WithHttpHealthCheck(readinessPath, endpointName: endpointName);
    }
}
