using System.Collections.Concurrent;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// <see cref="IDataNodeClient"/> for a cluster: DataNodes are stateless workers over the object store, so each job goes
/// to the next live one (round robin). Every DataNode operation writes or deletes objects under keys fixed by its
/// inputs, so a job whose node died mid-way is simply re-run on another (the same objects are written again);
/// the catalog only ever references outputs of a job that returned.
/// </summary>
public sealed class AnyDataNodeClient(NodeDirectory directory, Func<NodeInfo, IDataNodeClient> connect, ClusterRetry retry) : IDataNodeClient
{
    private readonly ConcurrentDictionary<(string NodeId, string Address), IDataNodeClient> _clients = new();
    private int _next;

    private IDataNodeClient Next()
    {
        var members = directory.Members(NodeRoles.DataNode);
        if (members.Count == 0)
            throw new RouteUnavailableException("no data node is live");
        NodeInfo node = members[(int)((uint)Interlocked.Increment(ref _next) % (uint)members.Count)];
        return _clients.GetOrAdd((node.NodeId, node.Address), _ => connect(node));
    }

    private ValueTask<T> Run<T>(Func<IDataNodeClient, CancellationToken, ValueTask<T>> call, CancellationToken ct) =>
        retry.RunAsync(c => call(Next(), c), idempotent: true, ct);

    public ValueTask<SegmentInfo> WriteSegmentAsync(CollectionInfo collection, long segmentId, long partitionId, string vchannel,
        ColumnBlock rows, ulong[] insertTimestamps, CancellationToken cancellationToken) =>
        Run((d, ct) => d.WriteSegmentAsync(collection, segmentId, partitionId, vchannel, rows, insertTimestamps, ct), cancellationToken);

    public ValueTask<DeltaInfo> WriteDeltaAsync(CollectionInfo collection, long deltaId, string vchannel, long partitionId, Column keys, ulong[] timestamps, CancellationToken cancellationToken) =>
        Run((d, ct) => d.WriteDeltaAsync(collection, deltaId, vchannel, partitionId, keys, timestamps, ct), cancellationToken);

    public ValueTask<(Column Keys, ulong[] Timestamps)> ReadDeltaAsync(CollectionInfo collection, DeltaInfo delta, CancellationToken cancellationToken) =>
        Run((d, ct) => d.ReadDeltaAsync(collection, delta, ct), cancellationToken);

    public async ValueTask DeleteIndexFilesAsync(IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken) =>
        await Run(async (d, ct) => { await d.DeleteIndexFilesAsync(indexes, ct); return true; }, cancellationToken);

    public async ValueTask DeleteCollectionDataAsync(long collectionId, CancellationToken cancellationToken) =>
        await Run(async (d, ct) => { await d.DeleteCollectionDataAsync(collectionId, ct); return true; }, cancellationToken);
}
