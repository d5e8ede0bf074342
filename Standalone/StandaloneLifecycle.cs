using Microsoft.Extensions.Diagnostics.HealthChecks;
using VectorAspire.Coordinator;
using VectorAspire.StreamingNode;

namespace VectorAspire.Standalone;

/// <summary>
/// Starts the roles in dependency order (Coordinator, then StreamingNode recovery; QueryNode and DataNode hold no
/// start-up state) and stops them in reverse, draining acknowledged writes before the WAL closes.
/// Reports unhealthy until recovery has finished.
/// </summary>
internal sealed class StandaloneLifecycle(CoordinatorService coordinator, StreamingNodeService streaming) : IHostedService, IHealthCheck
{
    private volatile bool _ready;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await coordinator.StartAsync(cancellationToken);
        await streaming.StartAsync(cancellationToken);
        _ready = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        await coordinator.StopAsync(cancellationToken);
        await streaming.StopAsync(cancellationToken);
        await streaming.DisposeAsync();
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(_ready ? HealthCheckResult.Healthy("all roles started") : HealthCheckResult.Unhealthy("starting: recovering catalog and WAL"));
}
