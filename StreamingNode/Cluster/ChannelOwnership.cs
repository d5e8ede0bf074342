using Microsoft.Extensions.Logging;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Wal;

namespace VectorAspire.StreamingNode.Cluster;

/// <summary>
/// A StreamingNode in a cluster serves exactly the pchannels the Coordinator leader binds to it: it watches the
/// bindings, acquires a channel bound here (opening its WAL fences the previous writer; its shards are recovered from
/// the checkpoint) and releases one bound elsewhere. When the set of live QueryNodes changes, it loads its sealed
/// segments again where they are placed now.
/// </summary>
public sealed partial class ChannelOwnership(StreamingNodeService streaming, IWal wal, MetaPrefixView<ChannelBinding> bindings, ClusterNodeIdentity identity,
    PlacedQueryNodeClient queryNodes, ILogger<ChannelOwnership> logger) : IClusterRoleLifecycle
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _kick = new(0);
    private readonly SemaphoreSlim _reload = new(1, 1);
    private int _reloadPending;
    private readonly Dictionary<string, long> _terms = new(StringComparer.Ordinal); // binding term each served channel was acquired under
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (wal is not ObjectStoreWal)
            throw new InvalidOperationException(
                "a cluster streaming node needs a WAL every node can read, so a channel can move when a node dies: set VectorAspire:Wal:Provider=object");
        streaming.UseChannelOwnership();
        await streaming.StartAsync(cancellationToken);
        bindings.Changed += Kick;
        queryNodes.PlacementChanged += OnPlacementChanged;
        _loop = Task.Run(() => ReconcileLoopAsync(_stop.Token), CancellationToken.None);
    }

    private void Kick() => _kick.Release();

    private void OnPlacementChanged()
    {
        if (Interlocked.Exchange(ref _reloadPending, 1) == 1)
            return;
        _ = Task.Run(async () =>
        {
            await _reload.WaitAsync();
            try
            {
                Interlocked.Exchange(ref _reloadPending, 0);
                await streaming.ReloadSealedSegmentsAsync(_stop.Token);
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                LogReloadFailed(e);
            }
            finally
            {
                _reload.Release();
            }
        });
    }

    private async Task ReconcileLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var mine = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var b in bindings.Entries.Values)
            {
                if (b.NodeId == identity.NodeId)
                    mine[b.Channel] = b.Term;
            }
            var served = streaming.ServedChannels ?? [];
            // A channel bound elsewhere is released; one bound here under a newer term than the one this node
            // acquired (it moved away and back while this node was paused or cut off, so another writer fenced it) is
            // released and acquired again, which reopens its WAL at a new epoch and replays what the other wrote.
            foreach (string channel in served.Where(c => !mine.TryGetValue(c, out long term) || _terms.GetValueOrDefault(c) != term))
            {
                try
                {
                    await streaming.ReleaseChannelAsync(channel, stop);
                    _terms.Remove(channel);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    LogReleaseFailed(e, channel);
                }
            }
            served = streaming.ServedChannels ?? [];
            // Channels are acquired in parallel: each replays its own log.
            var acquired = await Task.WhenAll(mine.Where(kv => !served.Contains(kv.Key)).Select(async kv =>
            {
                try
                {
                    await streaming.AcquireChannelAsync(kv.Key, stop);
                    return (kv.Key, kv.Value, true);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    LogAcquireFailed(e, kv.Key);
                    return (kv.Key, kv.Value, false);
                }
            }));
            foreach (var (channel, term, ok) in acquired)
            {
                if (ok)
                    _terms[channel] = term;
            }
            try
            {
                await _kick.WaitAsync(TimeSpan.FromSeconds(2), stop);
                while (_kick.CurrentCount > 0)
                    await _kick.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        bindings.Changed -= Kick;
        queryNodes.PlacementChanged -= OnPlacementChanged;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await streaming.StopAsync(cancellationToken);
        await streaming.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acquiring channel {Channel} failed; retrying")]
    private partial void LogAcquireFailed(Exception e, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing channel {Channel} failed")]
    private partial void LogReleaseFailed(Exception e, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading sealed segments after a query node change failed")]
    private partial void LogReloadFailed(Exception e);
}
