using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Wal;

namespace VectorAspire.StreamingNode;

/// <summary>
/// The StreamingNode role: owns the WAL channels; stamps, logs and applies writes (group commit: one fsync per
/// batch, acknowledged only once durable); holds growing segments; seals and flushes them through the DataNode;
/// and acts as each shard's delegator for reads. On start it recovers: catalog → sealed segments and delete logs →
/// WAL replay from each shard's checkpoint.
/// </summary>
public sealed partial class StreamingNodeService : IStreamingNodeClient, IAsyncDisposable
{
    private readonly IWal _wal;
    private readonly ICoordinatorClient _coordinator;
    private readonly IQueryNodeClient _queryNode;
    private readonly IDataNodeClient _dataNode;
    private readonly StreamingNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamingNodeService> _logger;
    private readonly Dictionary<string, PChannel> _pchannels = [];
    // Null: this node serves every channel (standalone). Otherwise the channels bound to it (cluster); guarded by _registry.
    private HashSet<string>? _owned;
    // Channels being recovered after an acquire (guarded by _registry): their shards appear only when it finishes.
    private readonly HashSet<string> _recoveringChannels = new(StringComparer.Ordinal);
    private readonly Lock _registry = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _sealLoop;
    private bool _started;

    public StreamingNodeService(IWal wal, ICoordinatorClient coordinator, IQueryNodeClient queryNode, IDataNodeClient dataNode,
        IOptions<StreamingNodeOptions> options, TimeProvider time, ILogger<StreamingNodeService> logger)
    {
        _wal = wal;
        _coordinator = coordinator;
        _queryNode = queryNode;
        _dataNode = dataNode;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // In a cluster nothing is recovered up front: each channel is recovered when it is bound here (AcquireChannelAsync).
        if (_owned is null)
            await RecoverAsync(null, cancellationToken);
        lock (_registry)
        {
            foreach (var pc in _pchannels.Values)
                pc.Loop = Task.Run(() => WriterLoopAsync(pc), CancellationToken.None);
            _started = true;
        }
        _sealLoop = Task.Run(() => SealByAgeLoopAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<PChannel> channels;
        lock (_registry)
        {
            _started = false;
            channels = [.. _pchannels.Values];
        }
        foreach (var pc in channels)
            pc.Queue.Writer.TryComplete();
        foreach (var pc in channels)
        {
            if (pc.Loop is { } loop)
                await loop.WaitAsync(cancellationToken);
        }
        await _stopping.CancelAsync();
        if (_sealLoop is not null)
        {
            try
            {
                await _sealLoop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pc in _pchannels.Values)
            await pc.Wal.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>The channel, opened on first use; null when this node does not serve it (cluster: bound elsewhere).</summary>
    private async ValueTask<PChannel?> GetPChannelAsync(string name, CancellationToken cancellationToken)
    {
        lock (_registry)
        {
            if (_pchannels.TryGetValue(name, out var existing))
                return existing;
            if (_owned is not null && !_owned.Contains(name))
                return null;
        }
        // LocalWal returns the already-open instance for a name, so a racing open shares the same channel.
        var wal = await _wal.OpenChannelAsync(name, cancellationToken);
        lock (_registry)
        {
            if (_pchannels.TryGetValue(name, out var raced))
                return raced;
            var pc = new PChannel(name, wal);
            _pchannels[name] = pc;
            if (_started)
                pc.Loop = Task.Run(() => WriterLoopAsync(pc), CancellationToken.None);
            return pc;
        }
    }

    private Shard? FindShard(long collectionId, int shard)
    {
        lock (_registry)
        {
            foreach (var pc in _pchannels.Values)
            {
                if (pc.Shards.TryGetValue((collectionId, shard), out var s))
                    return s;
            }
        }
        return null;
    }

    private List<Shard> ShardsOf(long collectionId)
    {
        var list = new List<Shard>();
        lock (_registry)
        {
            foreach (var pc in _pchannels.Values)
            {
                foreach (var s in pc.Shards.Values)
                {
                    if (s.CollectionId == collectionId)
                        list.Add(s);
                }
            }
        }
        list.Sort((a, b) => a.Index.CompareTo(b.Index));
        return list;
    }

    /// <summary>The schema writes to this shard are decoded against (remote callers send columns, not schemas).</summary>
    internal Core.Schema.CollectionSchema SchemaOf(long collectionId, int shard) => RequireShard(collectionId, shard).Info.Schema;

    private Shard RequireShard(long collectionId, int shard)
    {
        if (FindShard(collectionId, shard) is { } found)
            return found;
        // In a cluster the shard may live on a channel bound to another node (or moving here): retryable.
        if (_owned is not null)
            throw new MilvusException(ErrorCodes.ServiceNotReady,
                $"shard {shard} of collection {collectionId} is not served by this streaming node (its channel is bound elsewhere or moving); retry");
        throw MilvusErrors.CollectionNotFound(collectionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask SyncCollectionAsync(long collectionId, CancellationToken cancellationToken)
    {
        var info = await _coordinator.GetCollectionAsync(collectionId, cancellationToken);
        if (info is null)
            return;
        for (int i = 0; i < info.ShardsNum; i++)
        {
            var pc = await GetPChannelAsync(info.PChannels[i], cancellationToken);
            if (pc is null || IsRecovering(pc.Name))
                continue; // served by the node its channel is bound to, or picked up when its recovery ends
            Shard shard;
            await pc.ApplyLock.WaitAsync(cancellationToken);
            try
            {
                if (!pc.Shards.TryGetValue((collectionId, i), out shard!))
                {
                    shard = new Shard(info, i, pc) { CheckpointLsn = pc.Wal.NextLsn };
                    lock (_registry)
                        pc.Shards[(collectionId, i)] = shard;
                }
                shard.Info = info;
            }
            finally
            {
                pc.ApplyLock.Release();
            }
            await SyncLoadStateAsync(shard, cancellationToken);
        }
        if (info.IsLoaded)
            await SyncIndexesAsync(info, cancellationToken);
    }

    /// <summary>Has the QueryNode use exactly the built indexes the catalog lists for the collection's sealed segments.</summary>
    private async ValueTask SyncIndexesAsync(CollectionInfo info, CancellationToken cancellationToken)
    {
        var indexes = new List<SegmentIndexInfo>();
        for (int i = 0; i < info.ShardsNum; i++)
            indexes.AddRange((await _coordinator.GetShardStateAsync(info.CollectionId, info.VChannels[i], cancellationToken)).SegmentIndexes);
        await _queryNode.SyncSegmentIndexesAsync(info, indexes, cancellationToken);
    }

    /// <summary>Loads or releases the shard's sealed segments on the QueryNode to match the catalog.</summary>
    private async ValueTask SyncLoadStateAsync(Shard shard, CancellationToken cancellationToken)
    {
        bool want = shard.Info.IsLoaded;
        if (want == shard.SealedLoaded)
            return;
        await shard.FlushGate.WaitAsync(cancellationToken);
        try
        {
            var pc = shard.Channel;
            if (!want)
            {
                await pc.ApplyLock.WaitAsync(cancellationToken);
                try
                {
                    shard.SealedLoaded = false;
                }
                finally
                {
                    pc.ApplyLock.Release();
                }
                await _queryNode.ReleaseSegmentsAsync(shard.CollectionId, [.. shard.Sealed.Select(s => s.SegmentId)], cancellationToken);
                return;
            }
            await _queryNode.LoadSegmentsAsync(shard.Info, [.. shard.Sealed], cancellationToken);
            await SyncIndexesAsync(shard.Info, cancellationToken);
            await pc.ApplyLock.WaitAsync(cancellationToken);
            try
            {
                await ReplayDeletesOntoAsync(shard, shard.Sealed, cancellationToken);
                shard.SealedLoaded = true;
            }
            finally
            {
                pc.ApplyLock.Release();
            }
        }
        finally
        {
            shard.FlushGate.Release();
        }
    }

    /// <summary>Applies every known delete that can affect <paramref name="segments"/> (call under the apply lock).</summary>
    private async ValueTask ReplayDeletesOntoAsync(Shard shard, IReadOnlyList<SegmentInfo> segments, CancellationToken cancellationToken)
    {
        if (segments.Count == 0 || shard.KnownDeletes.Count == 0)
            return;
        foreach (var group in segments.GroupBy(s => s.PartitionId))
        {
            ulong minTs = group.Min(s => s.MinTimestamp);
            var relevant = shard.KnownDeletes.Where(d => d.Ts > minTs && (d.PartitionId == 0 || d.PartitionId == group.Key)).ToList();
            if (relevant.Count == 0)
                continue;
            var keys = Shard.KeysColumn(shard.Info, relevant);
            var ts = relevant.Select(d => d.Ts).ToArray();
            await _queryNode.ApplyDeletesAsync(shard.CollectionId, [.. group.Select(s => s.SegmentId)], keys, ts, cancellationToken);
        }
    }

    public async ValueTask DropCollectionAsync(long collectionId, CancellationToken cancellationToken)
    {
        foreach (var shard in ShardsOf(collectionId))
        {
            var pc = shard.Channel;
            await shard.FlushGate.WaitAsync(cancellationToken);
            try
            {
                await pc.ApplyLock.WaitAsync(cancellationToken);
                try
                {
                    shard.Dropped = true;
                    pc.Shards.Remove((collectionId, shard.Index));
                }
                finally
                {
                    pc.ApplyLock.Release();
                }
            }
            finally
            {
                shard.FlushGate.Release();
            }
            await TruncateWalAsync(pc, cancellationToken);
        }
        await _queryNode.ReleaseSegmentsAsync(collectionId, null, cancellationToken);
        await _dataNode.DeleteCollectionDataAsync(collectionId, cancellationToken);
    }

    public ValueTask<long> CountRowsAsync(long collectionId, IReadOnlyList<long>? partitionIds, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var shard in ShardsOf(collectionId))
            total += shard.RowCount(partitionIds);
        return ValueTask.FromResult(total);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered channel {Channel}: replayed {Entries} WAL entries from LSN {From}")]
    private partial void LogRecovered(string channel, long entries, long from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flushed shard {VChannel}: {Segments} segments, {Rows} rows, {Deletes} deletes; checkpoint {Lsn}")]
    private partial void LogFlushed(string vchannel, int segments, long rows, int deletes, long lsn);

    [LoggerMessage(Level = LogLevel.Error, Message = "Flush of shard {VChannel} failed; it will be retried")]
    private partial void LogFlushFailed(Exception ex, string vchannel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit on channel {Channel} failed")]
    private partial void LogCommitFailed(Exception ex, string channel);
}
