using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Query;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.Cluster;

/// <summary><see cref="IQueryNodeClient"/> over gRPC (service vectoraspire.internal.QueryNode).</summary>
public sealed class GrpcQueryNodeClient(GrpcChannelPool pool, RoleEndpoint endpoint) : IQueryNodeClient
{
    private readonly RemoteClient<PI.QueryNode.QueryNodeClient> _remote = new(pool, endpoint, static i => new PI.QueryNode.QueryNodeClient(i));

    private PI.QueryNode.QueryNodeClient C => _remote.Client;

    public async ValueTask LoadSegmentsAsync(CollectionInfo collection, IReadOnlyList<SegmentInfo> segments, CancellationToken cancellationToken)
    {
        var msg = new PI.LoadSegmentsRequest { CollectionJson = Wrap(CatalogJson.Serialize(collection)) };
        foreach (var s in segments)
            msg.SegmentsJson.Add(Wrap(CatalogJson.Serialize(s)));
        await C.LoadSegmentsAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask SyncSegmentIndexesAsync(CollectionInfo collection, IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken)
    {
        var msg = new PI.SyncSegmentIndexesRequest { CollectionJson = Wrap(CatalogJson.Serialize(collection)) };
        foreach (var i in indexes)
            msg.IndexesJson.Add(Wrap(CatalogJson.Serialize(i)));
        await C.SyncSegmentIndexesAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask ReleaseSegmentsAsync(long collectionId, IReadOnlyList<long>? segmentIds, CancellationToken cancellationToken)
    {
        var msg = new PI.ReleaseSegmentsRequest { CollectionId = collectionId, HasSegments = segmentIds is not null };
        if (segmentIds is not null)
            AddAll(msg.SegmentIds, segmentIds);
        await C.ReleaseSegmentsAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask ApplyDeletesAsync(long collectionId, IReadOnlyList<long> segmentIds, Column keys, ReadOnlyMemory<ulong> timestamps, CancellationToken cancellationToken)
    {
        var msg = new PI.ApplyDeletesRequest { CollectionId = collectionId, Keys = EncodeColumn(keys) };
        AddAll(msg.SegmentIds, segmentIds);
        AddTimestamps(msg.Timestamps, timestamps.Span);
        await C.ApplyDeletesAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask<ShardSearchResult> SearchAsync(long collectionId, IReadOnlyList<long> segmentIds, SearchPlan plan, ulong readTimestamp, CancellationToken cancellationToken)
    {
        var msg = new PI.SegmentSearchRequest { CollectionId = collectionId, Plan = Encode(plan), ReadTimestamp = readTimestamp };
        AddAll(msg.SegmentIds, segmentIds);
        return Decode(await C.SearchAsync(msg, cancellationToken: cancellationToken));
    }

    public async ValueTask<ShardQueryResult> QueryAsync(long collectionId, IReadOnlyList<long> segmentIds, QueryPlan plan, ulong readTimestamp, CancellationToken cancellationToken)
    {
        var msg = new PI.SegmentQueryRequest { CollectionId = collectionId, Plan = Encode(plan), ReadTimestamp = readTimestamp };
        AddAll(msg.SegmentIds, segmentIds);
        return Decode(await C.QueryAsync(msg, cancellationToken: cancellationToken));
    }

    public async ValueTask<long> GetLoadedBytesAsync(CancellationToken cancellationToken)
        => (await C.GetLoadedBytesAsync(new PI.Empty(), cancellationToken: cancellationToken)).Bytes;
}
