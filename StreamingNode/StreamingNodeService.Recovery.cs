using VectorAspire.Core.Segments;

namespace VectorAspire.StreamingNode;

public sealed partial class StreamingNodeService
{
    /// <summary>
    /// Rebuilds every shard: sealed segments and delete logs from the catalog, then the WAL from the lowest
    /// checkpoint of each channel (entries a shard has already persisted are skipped), then loads what is loaded.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var collections = await _coordinator.ListAllCollectionsAsync(cancellationToken);
        var shards = new List<Shard>();
        foreach (var info in collections)
        {
            for (int i = 0; i < info.ShardsNum; i++)
            {
                var pc = await GetPChannelAsync(info.PChannels[i], cancellationToken);
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
                pc.Shards[(info.CollectionId, i)] = shard;
                shards.Add(shard);
            }
        }

        List<PChannel> channels;
        lock (_registry)
            channels = [.. _pchannels.Values];
        foreach (var pc in channels)
        {
            if (pc.Shards.Count == 0)
                continue;
            long from = pc.Shards.Values.Min(s => s.CheckpointLsn);
            long replayed = 0;
            await foreach (var record in pc.Wal.ReadAsync(from, cancellationToken))
            {
                var span = record.Payload.Span;
                long collectionId = WalEntryCodec.PeekCollectionId(span);
                int shardIndex = WalEntryCodec.PeekShard(span);
                if (!pc.Shards.TryGetValue((collectionId, shardIndex), out var shard) || record.Lsn < shard.CheckpointLsn)
                    continue;
                var entry = WalEntryCodec.Decode(record.Payload, shard.Info.Schema);
                await ApplyAsync(shard, entry.Write, entry.Timestamp, record.Lsn, cancellationToken);
                pc.AdvanceServiceable(entry.Timestamp);
                replayed++;
            }
            foreach (var s in pc.Shards.Values)
                s.PublishView();
            LogRecovered(pc.Name, replayed, from);
        }

        foreach (var shard in shards)
            await SyncLoadStateAsync(shard, cancellationToken);
    }
}
