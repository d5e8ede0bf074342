namespace VectorAspire.Core.Cluster;

/// <summary>
/// Settings every role process of a cluster reads (<c>VectorAspire:Cluster</c>): who this node is, where the cluster's
/// coordination keys live in the meta store, how fast a dead node is noticed and how long routed calls keep trying.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "VectorAspire:Cluster";

    /// <summary>This node's id in the registry; default <c>{role}-{host}-{pid}</c> (a restarted process is a new node).</summary>
    public string? NodeId { get; set; }

    /// <summary>Meta-store prefix of the cluster's coordination keys (registry, leadership, channel bindings).</summary>
    public string Prefix { get; set; } = "cluster/";

    /// <summary>Lease TTL of registry entries and of the Coordinator's leadership: a killed node is noticed within it.</summary>
    public double LeaseTtlSeconds { get; set; } = 3;

    /// <summary>How long a routed call keeps retrying while the cluster heals (a node died, a channel moved).</summary>
    public double RetryBudgetSeconds { get; set; } = 20;

    /// <summary>The address other nodes use to reach this one; default <c>http://{host}:{bound port}</c>.</summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>Memory this node offers (bytes; 0 = what the runtime sees, container limits included). QueryNodes get sealed segments in proportion to it.</summary>
    public long MemoryBytes { get; set; }

    public TimeSpan LeaseTtl => TimeSpan.FromSeconds(LeaseTtlSeconds);

    public TimeSpan RetryBudget => TimeSpan.FromSeconds(RetryBudgetSeconds);

    public string NodesPrefix => Prefix + "nodes/";

    public string LeaderKey => Prefix + "coordinator/leader";

    public string BindingsPrefix => Prefix + "bindings/";
}
