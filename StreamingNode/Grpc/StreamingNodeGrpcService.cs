using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using VectorAspire.Core.Contracts;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.StreamingNode.Grpc;

/// <summary>Serves vectoraspire.internal.StreamingNode from the in-process <see cref="StreamingNodeService"/>.</summary>
public sealed class StreamingNodeGrpcService(StreamingNodeService streaming) : PI.StreamingNode.StreamingNodeBase
{
    private static readonly PI.Empty s_empty = new();

    public override async Task<PI.WriteReply> Write(PI.ShardWriteRequest request, ServerCallContext context)
    {
        var write = new ShardWrite
        {
            CollectionId = request.CollectionId,
            Shard = request.Shard,
            Kind = (WriteKind)request.Kind,
            PartitionId = request.PartitionId,
            Rows = request.Rows is { } rows ? DecodeRows(rows, streaming.SchemaOf(request.CollectionId, request.Shard)) : null,
            DeleteKeys = request.DeleteKeys.IsEmpty ? null : DecodeColumn(request.DeleteKeys),
            DeletePartitionId = request.DeletePartitionId,
        };
        return new PI.WriteReply { Timestamp = await streaming.WriteAsync(write, context.CancellationToken) };
    }

    public override async Task<PI.SearchResult> Search(PI.ShardSearchRequest request, ServerCallContext context)
    {
        var result = await streaming.SearchAsync(new ShardSearchRequest
        {
            CollectionId = request.CollectionId,
            Shard = request.Shard,
            Plan = Decode(request.Plan),
            GuaranteeTimestamp = request.GuaranteeTimestamp,
        }, context.CancellationToken);
        return Encode(result);
    }

    public override async Task<PI.QueryResult> Query(PI.ShardQueryRequest request, ServerCallContext context)
    {
        var result = await streaming.QueryAsync(new ShardQueryRequest
        {
            CollectionId = request.CollectionId,
            Shard = request.Shard,
            Plan = Decode(request.Plan),
            GuaranteeTimestamp = request.GuaranteeTimestamp,
        }, context.CancellationToken);
        return Encode(result);
    }

    public override async Task<PI.Empty> Flush(PI.StreamingCollectionRef request, ServerCallContext context)
    {
        await streaming.FlushAsync(request.CollectionId, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> SyncCollection(PI.StreamingCollectionRef request, ServerCallContext context)
    {
        await streaming.SyncCollectionAsync(request.CollectionId, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> DropCollection(PI.StreamingCollectionRef request, ServerCallContext context)
    {
        await streaming.DropCollectionAsync(request.CollectionId, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.CountRowsReply> CountRows(PI.CountRowsRequest request, ServerCallContext context)
    {
        var rows = await streaming.CountRowsAsync(request.CollectionId, request.HasPartitions ? ToArray(request.PartitionIds) : null, context.CancellationToken);
        return new PI.CountRowsReply { Rows = rows };
    }
}

public static class StreamingNodeGrpcExtensions
{
    /// <summary>Maps the internal StreamingNode gRPC service (needs AddInternalGrpcServer).</summary>
    public static IEndpointConventionBuilder MapStreamingNodeGrpc(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGrpcService<StreamingNodeGrpcService>();
}
