using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;

namespace VectorAspire.Gateway;

/// <summary>The gateway is ready while at least one Proxy passes its probes (or has not been probed yet).</summary>
public sealed class ProxyDestinationsHealthCheck(IProxyStateLookup proxyState) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!proxyState.TryGetCluster(GatewayRoutes.RestCluster, out var cluster))
            return Task.FromResult(HealthCheckResult.Unhealthy("the Proxy cluster is not configured"));
        int all = cluster.Destinations.Count;
        int available = cluster.DestinationsState.AvailableDestinations.Count;
        return Task.FromResult(available > 0
            ? HealthCheckResult.Healthy($"{available} of {all} Proxies available")
            : HealthCheckResult.Unhealthy($"none of {all} Proxies passes its /health probe"));
    }
}
