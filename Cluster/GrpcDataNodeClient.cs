using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.Cluster;

/// <summary><see cref="IDataNodeClient"/> over gRPC (service vectoraspire.internal.DataNode).</summary>
public sealed class GrpcDataNodeClient(GrpcChannelPool pool, RoleEndpoint endpoint) : IDataNodeClient
{
    private readonly RemoteClient<PI.DataNode.DataNodeClient> _remote = new(pool, endpoint, static i => new PI.DataNode.DataNodeClient(i));

    private PI.DataNode.DataNodeClient C => _remote.Client;

    public async ValueTask<SegmentInfo> WriteSegmentAsync(CollectionInfo collection, long segmentId, long partitionId, string vchannel,
        ColumnBlock rows, ulong[] insertTimestamps, CancellationToken cancellationToken)
    {
        var msg = new PI.WriteSegmentRequest
        {
            CollectionJson = Wrap(CatalogJson.Serialize(collection)),
            SegmentId = segmentId,
            PartitionId = partitionId,
            Vchannel = vchannel,
            Rows = EncodeRows(rows),
        };
        AddTimestamps(msg.InsertTimestamps, insertTimestamps);
        var reply = await C.WriteSegmentAsync(msg, cancellationToken: cancellationToken);
        return CatalogJson.ReadSegment(reply.RecordJson.Span);
    }

    public async ValueTask<DeltaInfo> WriteDeltaAsync(CollectionInfo collection, long deltaId, string vchannel, long partitionId, Column keys, ulong[] timestamps, CancellationToken cancellationToken)
    {
        var msg = new PI.WriteDeltaRequest
        {
            CollectionJson = Wrap(CatalogJson.Serialize(collection)),
            DeltaId = deltaId,
            Vchannel = vchannel,
            PartitionId = partitionId,
            Keys = EncodeColumn(keys),
        };
        AddTimestamps(msg.Timestamps, timestamps);
        var reply = await C.WriteDeltaAsync(msg, cancellationToken: cancellationToken);
        return CatalogJson.ReadDelta(reply.RecordJson.Span);
    }

    public async ValueTask<(Column Keys, ulong[] Timestamps)> ReadDeltaAsync(CollectionInfo collection, DeltaInfo delta, CancellationToken cancellationToken)
    {
        var msg = new PI.ReadDeltaRequest { CollectionJson = Wrap(CatalogJson.Serialize(collection)), DeltaJson = Wrap(CatalogJson.Serialize(delta)) };
        var reply = await C.ReadDeltaAsync(msg, cancellationToken: cancellationToken);
        return (DecodeColumn(reply.Keys), ToArray(reply.Timestamps));
    }

    public async ValueTask DeleteIndexFilesAsync(IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken)
    {
        var msg = new PI.DeleteIndexFilesRequest();
        foreach (var i in indexes)
            msg.IndexesJson.Add(Wrap(CatalogJson.Serialize(i)));
        await C.DeleteIndexFilesAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask DeleteCollectionDataAsync(long collectionId, CancellationToken cancellationToken)
        => await C.DeleteCollectionDataAsync(new PI.DeleteCollectionDataRequest { CollectionId = collectionId }, cancellationToken: cancellationToken);
}
