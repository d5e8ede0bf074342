using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// Keeps this node's entry in the registry for as long as the process lives: the entry is bound to a lease that is
/// renewed every TTL/3, so a node that dies (kill -9) disappears from every watcher's view within one TTL. If the
/// lease was lost (e.g. the meta store was unreachable past the TTL) the entry is written again under a new lease.
/// Disposing revokes the lease, so a clean stop is seen at once.
/// </summary>
public sealed class NodeRegistration : IAsyncDisposable
{
    private readonly IMetaStore _store;
    private readonly string _key;
    private readonly NodeInfo _node;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private Task? _loop;
    private long _leaseId;

    public NodeRegistration(IMetaStore store, string prefix, NodeInfo node, TimeSpan ttl, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(300));
        _store = store;
        _key = NodeDirectory.Key(prefix, node.Role, node.NodeId);
        _node = node;
        _ttl = ttl;
        _time = time ?? TimeProvider.System;
    }

    public NodeInfo Node => _node;

    /// <summary>Writes the entry (returns once it is visible) and starts renewing it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await WriteEntryAsync(cancellationToken);
        _loop = Task.Run(() => RenewLoopAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        if (_leaseId != 0)
        {
            try
            {
                await _store.RevokeLeaseAsync(_leaseId, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or HttpRequestException)
            {
                // The lease expires by itself.
            }
        }

        _stop.Dispose();
    }

    private async Task WriteEntryAsync(CancellationToken cancellationToken)
    {
        long lease = await _store.GrantLeaseAsync(_ttl, cancellationToken);
        await _store.PutAsync(_key, _node.Encode(), lease, cancellationToken);
        _leaseId = lease;
    }

    private async Task RenewLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_ttl / 3, _time, stop);
                if (!await _store.KeepAliveAsync(_leaseId, stop))
                {
                    await WriteEntryAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Unreachable meta store: keep trying every interval; watchers will see the node leave if it lasts.
            }
        }
    }
}
