using VectorAspire.Core.Segments;

namespace VectorAspire.StreamingNode;

public sealed partial class StreamingNodeService
{
    /// <summary>
    /// Rebuilds every shard (of <paramref name="only"/> channel, or of every channel this node serves): sealed
    /// segments and delete logs from the catalog, then the WAL from the lowest checkpoint of each channel (entries a
    /// shard has already persisted are skipped), then loads what is loaded. Shards become visible to reads and
    /// writes only once all of that is done when a channel is acquired in a cluster, so it never serves a partial view.
    /// </summary>
    private async Task RecoverAsync(string? only, CancellationToken cancellationToken)
    {
        var collections = await _coordinator.ListAllCollectionsAsync(cancellationToken);
        var recovering = new Dictionary<PChannel, Dictionary<(long Collection, int Shard), Shard>>();
        foreach (var info in collections)
        {
            for (int i = 0; i < info.ShardsNum; i++)
            {
                if (only is not null && info.PChannels[i] != only)
                    continue;
                var pc = await GetPChannelAsync(info.PChannels[i], cancellationToken);
                if (pc is null)
                    continue;
                if (!recovering.TryGetValue(pc, out var shardsOfChannel))
                    recovering[pc] = shardsOfChannel = [];
                var state = await _coordinator.GetShardStateAsync(info.CollectionId, info.VChannels[i], cancellationToken);
                var shard = new Shard(info, i, pc) { CheckpointLsn = state.CheckpointLsn };
                shard.Sealed.AddRange(state.Segments);
                foreach (var delta in state.Deltas)
                {
                    var (keys, ts) = await _dataNode.ReadDeltaAsync(info, delta, cancellationToken);
                    for (int r = 0; r < keys.Count; r++)
                        shard.KnownDeletes.Add(new DeleteRecord(PrimaryKey.FromColumn(keys, r), ts[r], delta.PartitionId));
                }
                shard.PublishView();
                shardsOfChannel[(info.CollectionId, i)] = shard;
                // Start-up recovery (standalone) publishes shards at once, as before: writes are refused until the
                // node has started, and a SyncCollectionAsync racing recovery (index builds) must find these shards,
                // not create empty ones. A channel acquired later stays hidden until recovered (SyncCollectionAsync
                // skips it meanwhile).
                if (only is null)
                {
                    lock (_registry)
                        pc.Shards[(info.CollectionId, i)] = shard;
                }
            }
        }

        foreach (var (pc, shards) in recovering)
        {
            long from = shards.Values.Min(s => s.CheckpointLsn);
            long replayed = 0;
            await foreach (var record in pc.Wal.ReadAsync(from, cancellationToken))
            {
                var span = record.Payload.Span;
                long collectionId = WalEntryCodec.PeekCollectionId(span);
                int shardIndex = WalEntryCodec.PeekShard(span);
                if (!shards.TryGetValue((collectionId, shardIndex), out var shard) || record.Lsn < shard.CheckpointLsn)
                    continue;
                var entry = WalEntryCodec.Decode(record.Payload, shard.Info.Schema);
                await ApplyAsync(shard, entry.Write, entry.Timestamp, record.Lsn, cancellationToken);
                pc.AdvanceServiceable(entry.Timestamp);
                replayed++;
            }
            foreach (var s in shards.Values)
                s.PublishView();
            LogRecovered(pc.Name, replayed, from);
        }

        foreach (var shards in recovering.Values)
        {
            foreach (var shard in shards.Values)
                await SyncLoadStateAsync(shard, cancellationToken);
        }

        foreach (var (pc, shards) in recovering)
        {
            await pc.ApplyLock.WaitAsync(cancellationToken);
            try
            {
                lock (_registry)
                {
                    foreach (var (key, shard) in shards)
                        pc.Shards.TryAdd(key, shard);
                }
            }
            finally
            {
                pc.ApplyLock.Release();
            }
        }
    }
}
