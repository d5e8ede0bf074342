using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Query;

namespace VectorAspire.StreamingNode;

public sealed partial class StreamingNodeService
{
    public async ValueTask<ShardSearchResult> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken)
    {
        var shard = RequireShard(request.CollectionId, request.Shard);
        if (!shard.SealedLoaded)
            throw MilvusErrors.CollectionNotLoaded(shard.Info.Name);
        if (Volatile.Read(ref shard.Reloading) > 0)
            throw new MilvusException(ErrorCodes.ServiceNotReady, $"shard {shard.Index} of collection '{shard.Info.Name}' is moving its sealed segments to other query nodes; retry");
        ulong readTs = await shard.Channel.EnsureServiceableAsync(request.GuaranteeTimestamp, cancellationToken);
        var view = shard.View;
        var plan = request.Plan;
        var parts = new List<ShardSearchResult> { SegmentSearcher.Search(shard.Info.Schema, plan.IgnoreGrowing ? [] : view.Growing, plan, readTs) };
        var sealedIds = view.Sealed.Where(s => plan.PartitionIds.Contains(s.PartitionId)).Select(s => s.SegmentId).ToList();
        if (sealedIds.Count > 0)
            parts.Add(await _queryNode.SearchAsync(shard.CollectionId, sealedIds, plan, readTs, cancellationToken));
        return SegmentSearcher.Merge(parts, plan.Nq, plan.TopK, plan.Metric);
    }

    public async ValueTask<ShardQueryResult> QueryAsync(ShardQueryRequest request, CancellationToken cancellationToken)
    {
        var shard = RequireShard(request.CollectionId, request.Shard);
        if (!shard.SealedLoaded)
            throw MilvusErrors.CollectionNotLoaded(shard.Info.Name);
        if (Volatile.Read(ref shard.Reloading) > 0)
            throw new MilvusException(ErrorCodes.ServiceNotReady, $"shard {shard.Index} of collection '{shard.Info.Name}' is moving its sealed segments to other query nodes; retry");
        ulong readTs = await shard.Channel.EnsureServiceableAsync(request.GuaranteeTimestamp, cancellationToken);
        var view = shard.View;
        var plan = request.Plan;
        var schema = shard.Info.Schema;
        var parts = new List<ShardQueryResult> { SegmentQuerier.Query(schema, view.Growing, plan, readTs) };
        var sealedIds = view.Sealed.Where(s => plan.PartitionIds.Contains(s.PartitionId)).Select(s => s.SegmentId).ToList();
        if (sealedIds.Count > 0)
            parts.Add(await _queryNode.QueryAsync(shard.CollectionId, sealedIds, plan, readTs, cancellationToken));
        return SegmentQuerier.Merge(schema, plan, parts);
    }
}
