using Google.Protobuf;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Query;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.Cluster;

/// <summary><see cref="IStreamingNodeClient"/> over gRPC (service vectoraspire.internal.StreamingNode).</summary>
public sealed class GrpcStreamingNodeClient(GrpcChannelPool pool, RoleEndpoint endpoint) : IStreamingNodeClient
{
    private readonly RemoteClient<PI.StreamingNode.StreamingNodeClient> _remote = new(pool, endpoint, static i => new PI.StreamingNode.StreamingNodeClient(i));

    private PI.StreamingNode.StreamingNodeClient C => _remote.Client;

    public async ValueTask<ulong> WriteAsync(ShardWrite write, CancellationToken cancellationToken)
    {
        var msg = new PI.ShardWriteRequest
        {
            CollectionId = write.CollectionId,
            Shard = write.Shard,
            Kind = (int)write.Kind,
            PartitionId = write.PartitionId,
            Rows = write.Rows is { } rows ? EncodeRows(rows) : null,
            DeleteKeys = write.DeleteKeys is { } keys ? EncodeColumn(keys) : ByteString.Empty,
            DeletePartitionId = write.DeletePartitionId,
        };
        // In process a queued write is not cancellable (it may already be durable); the server keeps that rule, the
        // caller only stops waiting.
        return (await C.WriteAsync(msg, cancellationToken: cancellationToken)).Timestamp;
    }

    public async ValueTask<ShardSearchResult> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken)
    {
        var msg = new PI.ShardSearchRequest
        {
            CollectionId = request.CollectionId,
            Shard = request.Shard,
            Plan = Encode(request.Plan),
            GuaranteeTimestamp = request.GuaranteeTimestamp,
        };
        return Decode(await C.SearchAsync(msg, cancellationToken: cancellationToken));
    }

    public async ValueTask<ShardQueryResult> QueryAsync(ShardQueryRequest request, CancellationToken cancellationToken)
    {
        var msg = new PI.ShardQueryRequest
        {
            CollectionId = request.CollectionId,
            Shard = request.Shard,
            Plan = Encode(request.Plan),
            GuaranteeTimestamp = request.GuaranteeTimestamp,
        };
        return Decode(await C.QueryAsync(msg, cancellationToken: cancellationToken));
    }

    public async ValueTask FlushAsync(long collectionId, CancellationToken cancellationToken)
        => await C.FlushAsync(new PI.StreamingCollectionRef { CollectionId = collectionId }, cancellationToken: cancellationToken);

    public async ValueTask SyncCollectionAsync(long collectionId, CancellationToken cancellationToken)
        => await C.SyncCollectionAsync(new PI.StreamingCollectionRef { CollectionId = collectionId }, cancellationToken: cancellationToken);

    public async ValueTask DropCollectionAsync(long collectionId, CancellationToken cancellationToken)
        => await C.DropCollectionAsync(new PI.StreamingCollectionRef { CollectionId = collectionId }, cancellationToken: cancellationToken);

    public async ValueTask<long> CountRowsAsync(long collectionId, IReadOnlyList<long>? partitionIds, CancellationToken cancellationToken)
    {
        var msg = new PI.CountRowsRequest { CollectionId = collectionId, HasPartitions = partitionIds is not null };
        if (partitionIds is not null)
            AddAll(msg.PartitionIds, partitionIds);
        return (await C.CountRowsAsync(msg, cancellationToken: cancellationToken)).Rows;
    }
}
