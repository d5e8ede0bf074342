namespace VectorAspire.AppHost.Topologies;

/// <summary>
/// One process per role instance on etcd, an S3-compatible store and RabbitMQ, behind a gateway (ARCHITECTURE.md §2).
/// The roles do not run as programs of their own yet, so this refuses to start rather than declare processes that
/// cannot serve.
/// </summary>
public static class ClusterTopology
{
    public static void AddTo(IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        throw new AppHostConfigurationException(
            "the cluster topology needs the role programs (Proxy, Coordinator, StreamingNode, QueryNode and DataNode, " +
            "each runnable on its own with a /health endpoint), which do not exist yet. Use --topology standalone.");
    }
}
