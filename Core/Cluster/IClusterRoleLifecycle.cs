namespace VectorAspire.Core.Cluster;

/// <summary>
/// A role's own start and stop in a cluster process, run by the node host after the node is registered and its port
/// serves (start), and before it deregisters (stop, in reverse order).
/// </summary>
public interface IClusterRoleLifecycle
{
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>Who this process is in the cluster.</summary>
public sealed record ClusterNodeIdentity(string Role, string NodeId);
