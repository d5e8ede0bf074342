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
    private readonly IMetaStore _store;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly Lock _lock = new();
    private ImmutableDictionary<string, NodeInfo> _registered = ImmutableDictionary.Create<string, NodeInfo>(StringComparer.Ordinal);
    private ImmutableArray<NodeInfo> _configured = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _watch;

    public NodeDirectory(IMetaStore store, string prefix, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _store = store;
        _prefix = prefix.EndsWith('/') ? prefix : prefix + "/";
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised after the membership changed (on the watch's thread; keep handlers short).</summary>
    public event Action? Changed;

    public static string Key(string prefix, string role, string nodeId) =>
        (prefix.EndsWith('/') ? prefix : prefix + "/") + role + "/" + nodeId;

    /// <summary>
    /// Adds <c>services:{serviceName}:{endpoint}:{i}</c> addresses from configuration as members of
    /// <paramref name="role"/> (node id <c>{serviceName}-{i}</c>); registry entries of the role take precedence.
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
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        long revision = await LoadAsync(cancellationToken);
        _watch = Task.Run(() => WatchLoopAsync(revision, _stop.Token), CancellationToken.None);
    }

    /// <summary>Live members of <paramref name="role"/>, ordered by node id.</summary>
    public IReadOnlyList<NodeInfo> Members(string role)
    {
        ImmutableDictionary<string, NodeInfo> registered;
        ImmutableArray<NodeInfo> configured;
        lock (_lock)
        {
            registered = _registered;
            configured = _configured;
        }

        var result = new List<NodeInfo>();
        foreach (NodeInfo node in registered.Values)
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
    public async Task WaitUntilAsync(Func<NodeDirectory, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }

        _stop.Dispose();
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        long revision = await _store.GetRevisionAsync(cancellationToken);
        var entries = ImmutableDictionary.CreateBuilder<string, NodeInfo>(StringComparer.Ordinal);
        foreach (KeyValue kv in await _store.ScanPrefixAsync(_prefix, cancellationToken))
        {
            if (TryDecode(kv.Key, kv.Value, out NodeInfo? node))
            {
                entries[kv.Key] = node;
            }
        }

        Publish(entries.ToImmutable());
        return revision;
    }

    private async Task WatchLoopAsync(long revision, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (WatchEvent change in _store.WatchAsync(_prefix, revision + 1, stop))
                {
                    revision = change.Revision;
                    ImmutableDictionary<string, NodeInfo> current;
                    lock (_lock)
                    {
                        current = _registered;
                    }

                    if (change.Kind == WatchEventKind.Delete)
                    {
                        current = current.Remove(change.Key);
                    }
                    else if (TryDecode(change.Key, change.Value, out NodeInfo? node))
                    {
                        current = current.SetItem(change.Key, node);
                    }

                    Publish(current);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The watch broke (store restarted, history compacted): reload the whole view and resume from there.
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), _time, stop);
                    revision = await LoadAsync(stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception)
                {
                    // Still unreachable; the next round retries.
                }
            }
        }
    }

    private void Publish(ImmutableDictionary<string, NodeInfo> entries)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _registered = entries;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        Changed?.Invoke();
    }

    private static bool TryDecode(string key, byte[] value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeInfo? node)
    {
        try
        {
            node = NodeInfo.Decode(key, value);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            node = null; // not an entry this version understands; ignore rather than break everyone's view
            return false;
        }
    }
}
