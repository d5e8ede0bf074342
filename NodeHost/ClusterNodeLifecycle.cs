using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Contracts.Messages;
using VectorAspire.Core.Meta;

namespace VectorAspire.NodeHost;

/// <summary>
/// A cluster node's life: before Kestrel starts, the live views (registry, channel bindings, Coordinator leadership)
/// are loaded; once the port serves, the node registers under a lease and the role's lifecycles start; on stop they
/// stop in reverse and the lease is revoked, so the others see a clean leave at once (a kill -9 is seen within the
/// lease TTL). Healthy once the role has started.
/// </summary>
internal sealed partial class ClusterNodeLifecycle(IServiceProvider services, ClusterNodeIdentity identity, ClusterOptions options,
    ClusterListener listener, ILogger<ClusterNodeLifecycle> logger) : IHostedLifecycleService, IHealthCheck
{
    private NodeRegistration? _registration;
    private volatile bool _ready;
    private readonly List<IClusterRoleLifecycle> _started = [];

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<NodeDirectory>().StartAsync(cancellationToken);
        await services.GetRequiredService<MetaPrefixView<ChannelBinding>>().StartAsync(cancellationToken);
        await services.GetRequiredService<LeaderCoordinatorClient>().StartAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        string address = listener.Address(options);
        long memory = options.MemoryBytes > 0 ? options.MemoryBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        _registration = new NodeRegistration(services.GetRequiredService<IMetaStore>(), options.NodesPrefix,
            new NodeInfo(identity.Role, identity.NodeId, address, memory), options.LeaseTtl);
        await _registration.StartAsync(cancellationToken);
        foreach (var role in services.GetServices<IClusterRoleLifecycle>())
        {
            await role.StartAsync(cancellationToken);
            _started.Add(role);
        }
        _ready = true;
        LogServing(identity.Role, identity.NodeId, address);
        await PublishAsync(new NodeJoined(identity.Role, identity.NodeId, address));
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_ready)
            await PublishAsync(new NodeLeft(identity.Role, identity.NodeId, "stopped"));
        _ready = false;
        for (int i = _started.Count - 1; i >= 0; i--)
        {
            try
            {
                await _started[i].StopAsync(cancellationToken);
            }
            catch (Exception e)
            {
                LogStopFailed(e, identity.Role);
            }
        }
        if (_registration is not null)
            await _registration.DisposeAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await services.GetRequiredService<LeaderCoordinatorClient>().DisposeAsync();
        await services.GetRequiredService<MetaPrefixView<ChannelBinding>>().DisposeAsync();
        await services.GetRequiredService<NodeDirectory>().DisposeAsync();
    }

    /// <summary>Membership events are notifications (the registry is the truth): a broker hiccup must not fail start or stop.</summary>
    private async Task PublishAsync<T>(T message) where T : class
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await services.GetRequiredService<IControlBus>().PublishAsync(message, timeout.Token);
        }
        catch (Exception e)
        {
            LogPublishFailed(e, typeof(T).Name);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(_ready ? HealthCheckResult.Healthy($"{identity.Role} {identity.NodeId} serving") : HealthCheckResult.Unhealthy("starting"));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Role} {NodeId} serves at {Address}")]
    private partial void LogServing(string role, string nodeId, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "publishing {Message} failed")]
    private partial void LogPublishFailed(Exception e, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "stopping {Role} failed")]
    private partial void LogStopFailed(Exception e, string role);
}
