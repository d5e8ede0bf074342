using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Cluster.Messaging;
using VectorAspire.Coordinator.Cluster;
using VectorAspire.Coordinator.Messaging;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Time;

namespace VectorAspire.Coordinator;

public static class CoordinatorExtensions
{
    /// <summary>Registers the Coordinator role (in-process client = the service itself).</summary>
    public static IServiceCollection AddCoordinator(this IServiceCollection services)
    {
        services.AddOptions<CoordinatorOptions>().BindConfiguration(CoordinatorOptions.Section);
        services.AddSingleton<CoordinatorService>();
        services.AddSingleton<ICoordinatorClient>(sp => sp.GetRequiredService<CoordinatorService>());
        services.AddSingleton(sp => new Lazy<IStreamingNodeClient>(sp.GetRequiredService<IStreamingNodeClient>));
        services.AddControlConsumer<IndexBuildOutcomeConsumer>(ControlEndpoint.Shared);
        services.AddControlConsumer<CoordinatorEventConsumer>(ControlEndpoint.PerInstance);
        return services;
    }

    /// <summary>
    /// Registers the Coordinator as a cluster process: the role, its TSO over the shared meta store (the same key as
    /// standalone, so a copied standalone store continues), leader election and the standby gate on its gRPC service.
    /// </summary>
    public static IServiceCollection AddClusterCoordinator(this IServiceCollection services)
    {
        services.AddSingleton<ITimestampOracle>(sp => new TimestampOracle(sp.GetRequiredService<IMetaStore>(), "coordinator/tso", sp.GetRequiredService<TimeProvider>()));
        services.AddCoordinator();
        services.AddSingleton<CoordinatorLeadership>();
        services.AddSingleton<IClusterRoleLifecycle>(sp => sp.GetRequiredService<CoordinatorLeadership>());
        services.AddGrpc(o => o.Interceptors.Add<LeaderGateInterceptor>());
        return services;
    }
}
