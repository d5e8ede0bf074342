using Microsoft.Extensions.Diagnostics.HealthChecks;
using VectorAspire.Coordinator;
using VectorAspire.StreamingNode;

namespace VectorAspire.Standalone;

/// <summary>
/// Starts the roles in dependency order (Coordinator, then StreamingNode recovery; QueryNode and DataNode hold no
/// start-up state) and stops them in reverse, draining acknowledged writes before the WAL closes.
/// Reports unhealthy until recovery has finished. With the gRPC transport the roles start once Kestrel listens (their
/// recovery already calls each other over the internal port), still before the host reports started.
/// </summary>
internal sealed class StandaloneLifecycle(CoordinatorService coordinator, StreamingNodeService streaming, StandaloneOptions options)
    : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _ready;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
        => options.UsesGrpcTransport ? Task.CompletedTask : StartRolesAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken)
        => options.UsesGrpcTransport ? StartRolesAsync(cancellationToken) : Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
        => options.UsesGrpcTransport ? StopRolesAsync(cancellationToken) : Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task StartRolesAsync(CancellationToken cancellationToken)
    {
        await coordinator.StartAsync(cancellationToken);
        await streaming.StartAsync(cancellationToken);
        _ready = true;
    }

    // With the gRPC transport the roles must stop while Kestrel still serves the internal port: draining the last
    // writes calls the Coordinator and DataNode through it. StoppingAsync runs before any hosted service stops.
    public Task StopAsync(CancellationToken cancellationToken)
        => options.UsesGrpcTransport ? Task.CompletedTask : StopRolesAsync(cancellationToken);

    private async Task StopRolesAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        await coordinator.StopAsync(cancellationToken);
        await streaming.StopAsync(cancellationToken);
        await streaming.DisposeAsync();
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(_ready ? HealthCheckResult.Healthy("all roles started") : HealthCheckResult.Unhealthy("starting: recovering catalog and WAL"));
}
