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
            var mine = new HashSet<string>(StringComparer.Ordinal);
            foreach (var b in bindings.Entries.Values)
            {
                if (b.NodeId == identity.NodeId)
                    mine.Add(b.Channel);
            }
            var served = streaming.ServedChannels ?? [];
            foreach (string channel in served.Where(c => !mine.Contains(c)))
            {
                try
                {
                    await streaming.ReleaseChannelAsync(channel, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    LogReleaseFailed(e, channel);
                }
            }
            // Channels are acquired in parallel: each replays its own log.
            await Task.WhenAll(mine.Where(c => !served.Contains(c)).Select(async channel =>
            {
                try
                {
                    await streaming.AcquireChannelAsync(channel, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    LogAcquireFailed(e, channel);
                }
            }));
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
