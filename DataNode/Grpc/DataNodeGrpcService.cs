using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using VectorAspire.Core.Catalog;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.DataNode.Grpc;

/// <summary>Serves vectoraspire.internal.DataNode from the in-process <see cref="DataNodeService"/>.</summary>
public sealed class DataNodeGrpcService(DataNodeService dataNode) : PI.DataNode.DataNodeBase
{
    private static readonly PI.Empty s_empty = new();

    public override async Task<PI.RecordReply> WriteSegment(PI.WriteSegmentRequest request, ServerCallContext context)
    {
        var collection = CatalogJson.ReadCollection(request.CollectionJson.Span);
        var rows = DecodeRows(request.Rows ?? new PI.Rows(), collection.Schema);
        var segment = await dataNode.WriteSegmentAsync(collection, request.SegmentId, request.PartitionId, request.Vchannel, rows,
            ToArray(request.InsertTimestamps), context.CancellationToken);
        return new PI.RecordReply { RecordJson = Wrap(CatalogJson.Serialize(segment)) };
    }

    public override async Task<PI.RecordReply> WriteDelta(PI.WriteDeltaRequest request, ServerCallContext context)
    {
        var delta = await dataNode.WriteDeltaAsync(CatalogJson.ReadCollection(request.CollectionJson.Span), request.DeltaId, request.Vchannel,
            request.PartitionId, DecodeColumn(request.Keys), ToArray(request.Timestamps), context.CancellationToken);
        return new PI.RecordReply { RecordJson = Wrap(CatalogJson.Serialize(delta)) };
    }

    public override async Task<PI.DeltaData> ReadDelta(PI.ReadDeltaRequest request, ServerCallContext context)
    {
        var (keys, timestamps) = await dataNode.ReadDeltaAsync(CatalogJson.ReadCollection(request.CollectionJson.Span),
            CatalogJson.ReadDelta(request.DeltaJson.Span), context.CancellationToken);
        var reply = new PI.DeltaData { Keys = EncodeColumn(keys) };
        AddTimestamps(reply.Timestamps, timestamps);
        return reply;
    }

    public override async Task<PI.Empty> DeleteIndexFiles(PI.DeleteIndexFilesRequest request, ServerCallContext context)
    {
        var indexes = new SegmentIndexInfo[request.IndexesJson.Count];
        for (int i = 0; i < indexes.Length; i++)
            indexes[i] = CatalogJson.ReadSegmentIndex(request.IndexesJson[i].Span);
        await dataNode.DeleteIndexFilesAsync(indexes, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> DeleteCollectionData(PI.DeleteCollectionDataRequest request, ServerCallContext context)
    {
        await dataNode.DeleteCollectionDataAsync(request.CollectionId, context.CancellationToken);
        return s_empty;
    }
}

public static class DataNodeGrpcExtensions
{
    /// <summary>Maps the internal DataNode gRPC service (needs AddInternalGrpcServer).</summary>
    public static IEndpointConventionBuilder MapDataNodeGrpc(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGrpcService<DataNodeGrpcService>();
}
