using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// Every node's live view of the cluster: the registry entries under a prefix, loaded once and then kept current by
/// a watch (resumed from the last revision seen if the watch breaks), plus static members from configuration
/// (Aspire's <c>services__{name}__{endpoint}__{i}</c>) for roles the registry does not list yet.
/// </summary>
public sealed class NodeDirectory : IAsyncDisposable
{
    private readonly MetaPrefixView<NodeInfo> _view;
    private readonly Lock _lock = new();
    private ImmutableArray<NodeInfo> _configured = [];

    public NodeDirectory(IMetaStore store, string prefix, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _view = new MetaPrefixView<NodeInfo>(store, prefix.EndsWith('/') ? prefix : prefix + "/", TryDecode, time);
        _view.Changed += () => Changed?.Invoke();
    }

    /// <summary>Raised after the membership changed (on the watch's thread; keep handlers short).</summary>
    public event Action? Changed;

    public static string Key(string prefix, string role, string nodeId) =>
        (prefix.EndsWith('/') ? prefix : prefix + "/") + role + "/" + nodeId;

    /// <summary>
    /// Adds <c>services:{serviceName}:{endpoint}:{i}</c> addresses from configuration as members of
    /// <paramref name="role"/> (node id <c>{serviceName}-{endpoint}-{i}</c>); registry entries of the role take precedence.
    /// </summary>
    public void AddConfiguredMembers(IConfiguration configuration, string role, string serviceName)
    {
        var members = new List<NodeInfo>();
        foreach (IConfigurationSection endpoint in configuration.GetSection("services").GetSection(serviceName).GetChildren())
        {
            foreach (IConfigurationSection address in endpoint.GetChildren())
            {
                if (!string.IsNullOrEmpty(address.Value))
                {
                    members.Add(new NodeInfo(role, $"{serviceName}-{endpoint.Key}-{address.Key}", address.Value) { FromConfiguration = true });
                }
            }
        }

        lock (_lock)
        {
            _configured = _configured.AddRange(members);
        }
    }

    /// <summary>Loads the current entries and starts watching; returns once the first view is loaded.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _view.StartAsync(cancellationToken);

    /// <summary>Live members of <paramref name="role"/>, ordered by node id.</summary>
    public IReadOnlyList<NodeInfo> Members(string role)
    {
        ImmutableArray<NodeInfo> configured;
        lock (_lock)
        {
            configured = _configured;
        }

        var result = new List<NodeInfo>();
        foreach (NodeInfo node in _view.Entries.Values)
        {
            if (node.Role == role)
            {
                result.Add(node);
            }
        }

        if (result.Count == 0)
        {
            foreach (NodeInfo node in configured)
            {
                if (node.Role == role)
                {
                    result.Add(node);
                }
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
        return result;
    }

    public NodeInfo? Find(string role, string nodeId)
    {
        foreach (NodeInfo node in Members(role))
        {
            if (node.NodeId == nodeId)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the directory (checked now and after each change).</summary>
    public Task WaitUntilAsync(Func<NodeDirectory, bool> condition, CancellationToken cancellationToken) =>
        _view.WaitUntilAsync(_ => condition(this), cancellationToken);

    public ValueTask DisposeAsync() => _view.DisposeAsync();

    private static NodeInfo? TryDecode(string key, byte[] value)
    {
        try
        {
            return NodeInfo.Decode(key, value);
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // not an entry this version understands; ignore rather than break everyone's view
        }
    }
}
