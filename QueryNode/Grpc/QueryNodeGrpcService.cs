using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using VectorAspire.Core.Catalog;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.QueryNode.Grpc;

/// <summary>Serves vectoraspire.internal.QueryNode from the in-process <see cref="QueryNodeService"/>.</summary>
public sealed class QueryNodeGrpcService(QueryNodeService queryNode) : PI.QueryNode.QueryNodeBase
{
    private static readonly PI.Empty s_empty = new();

    public override async Task<PI.Empty> LoadSegments(PI.LoadSegmentsRequest request, ServerCallContext context)
    {
        var segments = new SegmentInfo[request.SegmentsJson.Count];
        for (int i = 0; i < segments.Length; i++)
            segments[i] = CatalogJson.ReadSegment(request.SegmentsJson[i].Span);
        await queryNode.LoadSegmentsAsync(CatalogJson.ReadCollection(request.CollectionJson.Span), segments, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> SyncSegmentIndexes(PI.SyncSegmentIndexesRequest request, ServerCallContext context)
    {
        var indexes = new SegmentIndexInfo[request.IndexesJson.Count];
        for (int i = 0; i < indexes.Length; i++)
            indexes[i] = CatalogJson.ReadSegmentIndex(request.IndexesJson[i].Span);
        await queryNode.SyncSegmentIndexesAsync(CatalogJson.ReadCollection(request.CollectionJson.Span), indexes, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> ReleaseSegments(PI.ReleaseSegmentsRequest request, ServerCallContext context)
    {
        await queryNode.ReleaseSegmentsAsync(request.CollectionId, request.HasSegments ? ToArray(request.SegmentIds) : null, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> ApplyDeletes(PI.ApplyDeletesRequest request, ServerCallContext context)
    {
        await queryNode.ApplyDeletesAsync(request.CollectionId, ToArray(request.SegmentIds), DecodeColumn(request.Keys), ToArray(request.Timestamps), context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.SearchResult> Search(PI.SegmentSearchRequest request, ServerCallContext context)
        => Encode(await queryNode.SearchAsync(request.CollectionId, ToArray(request.SegmentIds), Decode(request.Plan), request.ReadTimestamp, context.CancellationToken));

    public override async Task<PI.QueryResult> Query(PI.SegmentQueryRequest request, ServerCallContext context)
        => Encode(await queryNode.QueryAsync(request.CollectionId, ToArray(request.SegmentIds), Decode(request.Plan), request.ReadTimestamp, context.CancellationToken));

    public override async Task<PI.LoadedBytesReply> GetLoadedBytes(PI.Empty request, ServerCallContext context)
        => new() { Bytes = await queryNode.GetLoadedBytesAsync(context.CancellationToken) };
}

public static class QueryNodeGrpcExtensions
{
    /// <summary>Maps the internal QueryNode gRPC service (needs AddInternalGrpcServer).</summary>
    public static IEndpointConventionBuilder MapQueryNodeGrpc(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGrpcService<QueryNodeGrpcService>();
}
