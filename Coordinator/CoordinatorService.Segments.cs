using System.Globalization;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Contracts.Messages;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Meta;

namespace VectorAspire.Coordinator;

public sealed partial class CoordinatorService
{
    public async ValueTask<ShardState> GetShardStateAsync(long collectionId, string vchannel, CancellationToken cancellationToken)
    {
        var segments = new List<SegmentInfo>();
        foreach (var kv in await _store.ScanPrefixAsync($"{SegmentPrefix}{collectionId}/", cancellationToken))
        {
            var s = CatalogJson.ReadSegment(kv.Value);
            if (s.VChannel == vchannel)
                segments.Add(s);
        }
        var deltas = new List<DeltaInfo>();
        foreach (var kv in await _store.ScanPrefixAsync($"{DeltaPrefix}{collectionId}/", cancellationToken))
        {
            var d = CatalogJson.ReadDelta(kv.Value);
            if (d.VChannel == vchannel)
                deltas.Add(d);
        }
        var cp = await _store.GetAsync(CheckpointKey(collectionId, vchannel), cancellationToken);
        long lsn = cp is null ? 0 : CatalogJson.ReadCheckpoint(cp.Value).Lsn;
        segments.Sort((a, b) => a.SegmentId.CompareTo(b.SegmentId));
        deltas.Sort((a, b) => a.DeltaId.CompareTo(b.DeltaId));
        var ids = segments.Select(s => s.SegmentId).ToHashSet();
        var indexes = (await ListSegmentIndexesAsync(collectionId, cancellationToken)).Where(i => ids.Contains(i.SegmentId)).ToList();
        return new ShardState(segments, deltas, lsn, indexes);
    }

    public async ValueTask CommitFlushAsync(FlushCommit commit, CancellationToken cancellationToken)
    {
        var ops = new List<TxnOp>();
        foreach (var s in commit.Segments)
            ops.Add(TxnOp.Put($"{SegmentPrefix}{s.CollectionId}/{s.SegmentId.ToString(CultureInfo.InvariantCulture)}", CatalogJson.Serialize(s)));
        foreach (var d in commit.Deltas)
            ops.Add(TxnOp.Put($"{DeltaPrefix}{d.CollectionId}/{d.DeltaId.ToString(CultureInfo.InvariantCulture)}", CatalogJson.Serialize(d)));
        ops.Add(TxnOp.Put(CheckpointKey(commit.CollectionId, commit.VChannel),
            CatalogJson.Serialize(new ShardCheckpoint(commit.CollectionId, commit.VChannel, commit.CheckpointLsn))));
        // The collection must still exist: a flush racing a drop must not resurrect catalog keys.
        var compares = new List<TxnCompare> { new(CollectionPrefix + commit.CollectionId, CompareTarget.Version, CompareOp.Greater, 0) };
        if (commit.Fence is { } fence)
            compares.Add(new TxnCompare(fence.Key, CompareTarget.Value, CompareOp.Equal, 0, fence.Value));
        var result = await _store.TxnAsync(compares, ops, [], cancellationToken);
        if (!result.Succeeded)
        {
            if (commit.Fence is { } f && (await _store.GetAsync(f.Key, cancellationToken))?.Value.AsSpan().SequenceEqual(f.Value) != true)
                throw new MilvusException(ErrorCodes.ServiceInternal,
                    $"flush of {commit.VChannel} refused: its WAL channel was taken over by another streaming node, which persists the data instead");
            throw new InvalidOperationException($"collection {commit.CollectionId} was dropped during a flush");
        }
        if (commit.Segments.Count > 0)
        {
            // The commit stands whatever happens to the event: the scheduler's periodic rescan finds the segments anyway.
            try
            {
                await _bus.PublishAsync(new SegmentsFlushed(commit.CollectionId, commit.VChannel, [.. commit.Segments.Select(x => x.SegmentId)], commit.CheckpointLsn),
                    CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogPublishFailed(ex, nameof(SegmentsFlushed));
            }
        }
    }

    private static string CheckpointKey(long collectionId, string vchannel) => $"{CheckpointPrefix}{collectionId}/{vchannel}";

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Publishing {Message} failed; the scheduler's rescan covers it")]
    private partial void LogPublishFailed(Exception ex, string message);
}
