using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.Cluster;

/// <summary><see cref="ICoordinatorClient"/> over gRPC (service vectoraspire.internal.Coordinator).</summary>
public sealed class GrpcCoordinatorClient(GrpcChannelPool pool, RoleEndpoint endpoint) : ICoordinatorClient
{
    private readonly RemoteClient<PI.Coordinator.CoordinatorClient> _remote = new(pool, endpoint, static i => new PI.Coordinator.CoordinatorClient(i));

    private PI.Coordinator.CoordinatorClient C => _remote.Client;

    public async ValueTask<DatabaseInfo> CreateDatabaseAsync(string name, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken)
    {
        var msg = new PI.CreateDatabaseRequest { DbName = name };
        foreach (var (k, v) in properties)
            msg.Properties[k] = v;
        return ReadDatabase(await C.CreateDatabaseAsync(msg, cancellationToken: cancellationToken))!;
    }

    public async ValueTask DropDatabaseAsync(string name, CancellationToken cancellationToken)
        => await C.DropDatabaseAsync(new PI.DbName { DbName_ = name }, cancellationToken: cancellationToken);

    public async ValueTask<IReadOnlyList<DatabaseInfo>> ListDatabasesAsync(CancellationToken cancellationToken)
    {
        var reply = await C.ListDatabasesAsync(new PI.Empty(), cancellationToken: cancellationToken);
        var list = new DatabaseInfo[reply.DatabasesJson.Count];
        for (int i = 0; i < list.Length; i++)
            list[i] = CatalogJson.ReadDatabase(reply.DatabasesJson[i].Span);
        return list;
    }

    public async ValueTask<DatabaseInfo?> FindDatabaseAsync(string name, CancellationToken cancellationToken)
        => ReadDatabase(await C.FindDatabaseAsync(new PI.DbName { DbName_ = name }, cancellationToken: cancellationToken));

    public async ValueTask<DatabaseInfo> AlterDatabaseAsync(string name, long? dbId, IReadOnlyDictionary<string, string> properties, IReadOnlyList<string> deleteKeys,
        CancellationToken cancellationToken)
    {
        var msg = new PI.AlterDatabaseRequest { DbName = name };
        if (dbId is long id)
            msg.DbId = id;
        foreach (var (k, v) in properties)
            msg.Properties[k] = v;
        msg.DeleteKeys.AddRange(deleteKeys);
        return ReadDatabase(await C.AlterDatabaseAsync(msg, cancellationToken: cancellationToken))!;
    }

    private static DatabaseInfo? ReadDatabase(PI.DatabaseReply reply)
        => reply.DatabaseJson.IsEmpty ? null : CatalogJson.ReadDatabase(reply.DatabaseJson.Span);

    public async ValueTask<CollectionInfo> CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken)
    {
        var msg = new PI.CreateCollectionRequest
        {
            DbName = request.DbName,
            SchemaJson = Wrap(CatalogJson.Serialize(request.Schema)),
            ShardsNum = request.ShardsNum,
            NumPartitions = request.NumPartitions,
            ConsistencyLevel = (int)request.ConsistencyLevel,
            Load = request.Load,
        };
        foreach (var (k, v) in request.Properties)
            msg.Properties[k] = v;
        foreach (var index in request.Indexes)
            msg.IndexesJson.Add(Wrap(CatalogJson.Serialize(index)));
        var reply = await C.CreateCollectionAsync(msg, cancellationToken: cancellationToken);
        return CatalogJson.ReadCollection(reply.CollectionJson.Span);
    }

    public async ValueTask DropCollectionAsync(string dbName, string name, CancellationToken cancellationToken)
        => await C.DropCollectionAsync(new PI.CollectionName { DbName = dbName, Name = name }, cancellationToken: cancellationToken);

    public async ValueTask<CollectionInfo?> FindCollectionAsync(string dbName, string nameOrAlias, CancellationToken cancellationToken)
        => ReadOptionalCollection(await C.FindCollectionAsync(new PI.CollectionName { DbName = dbName, Name = nameOrAlias }, cancellationToken: cancellationToken));

    public async ValueTask<CollectionInfo?> GetCollectionAsync(long collectionId, CancellationToken cancellationToken)
        => ReadOptionalCollection(await C.GetCollectionAsync(new PI.CollectionId { CollectionId_ = collectionId }, cancellationToken: cancellationToken));

    public async ValueTask<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(string dbName, CancellationToken cancellationToken)
        => ReadCollections(await C.ListCollectionsAsync(new PI.DbName { DbName_ = dbName }, cancellationToken: cancellationToken));

    public async ValueTask<IReadOnlyList<CollectionInfo>> ListAllCollectionsAsync(CancellationToken cancellationToken)
        => ReadCollections(await C.ListAllCollectionsAsync(new PI.Empty(), cancellationToken: cancellationToken));

    public async ValueTask RenameCollectionAsync(string dbName, string oldName, string newName, string? newDbName, CancellationToken cancellationToken)
    {
        var msg = new PI.RenameCollectionRequest { DbName = dbName, OldName = oldName, NewName = newName };
        if (newDbName is not null)
            msg.NewDbName = newDbName;
        await C.RenameCollectionAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask CreatePartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken)
        => await C.CreatePartitionAsync(new PI.PartitionName { DbName = dbName, Collection = collection, Partition = partition }, cancellationToken: cancellationToken);

    public async ValueTask DropPartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken)
        => await C.DropPartitionAsync(new PI.PartitionName { DbName = dbName, Collection = collection, Partition = partition }, cancellationToken: cancellationToken);

    public async ValueTask LoadAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken)
        => await C.LoadAsync(LoadRequest(dbName, collection, partitions), cancellationToken: cancellationToken);

    public async ValueTask ReleaseAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken)
        => await C.ReleaseAsync(LoadRequest(dbName, collection, partitions), cancellationToken: cancellationToken);

    public async ValueTask CreateIndexAsync(string dbName, string collection, IndexInfo index, CancellationToken cancellationToken)
        => await C.CreateIndexAsync(new PI.CreateIndexRequest { DbName = dbName, Collection = collection, IndexJson = Wrap(CatalogJson.Serialize(index)) }, cancellationToken: cancellationToken);

    public async ValueTask DropIndexAsync(string dbName, string collection, string indexName, CancellationToken cancellationToken)
        => await C.DropIndexAsync(new PI.DropIndexRequest { DbName = dbName, Collection = collection, IndexName = indexName }, cancellationToken: cancellationToken);

    public async ValueTask CreateAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken)
        => await C.CreateAliasAsync(new PI.AliasRequest { DbName = dbName, Alias = alias, Collection = collection }, cancellationToken: cancellationToken);

    public async ValueTask AlterAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken)
        => await C.AlterAliasAsync(new PI.AliasRequest { DbName = dbName, Alias = alias, Collection = collection }, cancellationToken: cancellationToken);

    public async ValueTask DropAliasAsync(string dbName, string alias, CancellationToken cancellationToken)
        => await C.DropAliasAsync(new PI.AliasRequest { DbName = dbName, Alias = alias }, cancellationToken: cancellationToken);

    public async ValueTask<AliasInfo?> DescribeAliasAsync(string dbName, string alias, CancellationToken cancellationToken)
    {
        var reply = await C.DescribeAliasAsync(new PI.AliasRequest { DbName = dbName, Alias = alias }, cancellationToken: cancellationToken);
        return reply.AliasJson.IsEmpty ? null : CatalogJson.ReadAlias(reply.AliasJson.Span);
    }

    public async ValueTask<IReadOnlyList<AliasInfo>> ListAliasesAsync(string dbName, string? collection, CancellationToken cancellationToken)
    {
        var msg = new PI.ListAliasesRequest { DbName = dbName };
        if (collection is not null)
            msg.Collection = collection;
        var reply = await C.ListAliasesAsync(msg, cancellationToken: cancellationToken);
        var list = new AliasInfo[reply.AliasesJson.Count];
        for (int i = 0; i < list.Length; i++)
            list[i] = CatalogJson.ReadAlias(reply.AliasesJson[i].Span);
        return list;
    }

    public async ValueTask<ulong> AllocateTimestampAsync(int count, CancellationToken cancellationToken)
        => (await C.AllocateTimestampAsync(new PI.AllocateRequest { Count = count }, cancellationToken: cancellationToken)).Value;

    public async ValueTask<long> AllocateIdsAsync(int count, CancellationToken cancellationToken)
        => (long)(await C.AllocateIdsAsync(new PI.AllocateRequest { Count = count }, cancellationToken: cancellationToken)).Value;

    public async ValueTask<ShardState> GetShardStateAsync(long collectionId, string vchannel, CancellationToken cancellationToken)
    {
        var reply = await C.GetShardStateAsync(new PI.ShardRef { CollectionId = collectionId, Vchannel = vchannel }, cancellationToken: cancellationToken);
        var segments = new SegmentInfo[reply.SegmentsJson.Count];
        for (int i = 0; i < segments.Length; i++)
            segments[i] = CatalogJson.ReadSegment(reply.SegmentsJson[i].Span);
        var deltas = new DeltaInfo[reply.DeltasJson.Count];
        for (int i = 0; i < deltas.Length; i++)
            deltas[i] = CatalogJson.ReadDelta(reply.DeltasJson[i].Span);
        var indexes = new SegmentIndexInfo[reply.SegmentIndexesJson.Count];
        for (int i = 0; i < indexes.Length; i++)
            indexes[i] = CatalogJson.ReadSegmentIndex(reply.SegmentIndexesJson[i].Span);
        return new ShardState(segments, deltas, reply.CheckpointLsn, indexes);
    }

    public async ValueTask CommitFlushAsync(FlushCommit commit, CancellationToken cancellationToken)
    {
        var msg = new PI.FlushCommit { CollectionId = commit.CollectionId, Vchannel = commit.VChannel, CheckpointLsn = commit.CheckpointLsn };
        if (commit.Fence is { } fence)
        {
            msg.FenceKey = fence.Key;
            msg.FenceValue = Google.Protobuf.ByteString.CopyFrom(fence.Value);
        }
        foreach (var s in commit.Segments)
            msg.SegmentsJson.Add(Wrap(CatalogJson.Serialize(s)));
        foreach (var d in commit.Deltas)
            msg.DeltasJson.Add(Wrap(CatalogJson.Serialize(d)));
        await C.CommitFlushAsync(msg, cancellationToken: cancellationToken);
    }

    public async ValueTask<IndexProgress> GetIndexProgressAsync(long collectionId, string indexName, CancellationToken cancellationToken)
    {
        var reply = await C.GetIndexProgressAsync(new PI.IndexProgressRequest { CollectionId = collectionId, IndexName = indexName }, cancellationToken: cancellationToken);
        return new IndexProgress(reply.IndexedRows, reply.SealedRows, reply.HasFailReason ? reply.FailReason : null);
    }

    private static PI.LoadRequest LoadRequest(string dbName, string collection, IReadOnlyList<string>? partitions)
    {
        var msg = new PI.LoadRequest { DbName = dbName, Collection = collection, HasPartitions = partitions is not null };
        if (partitions is not null)
            msg.Partitions.AddRange(partitions);
        return msg;
    }

    private static CollectionInfo? ReadOptionalCollection(PI.CollectionReply reply)
        => reply.CollectionJson.IsEmpty ? null : CatalogJson.ReadCollection(reply.CollectionJson.Span);

    private static CollectionInfo[] ReadCollections(PI.CollectionList reply)
    {
        var list = new CollectionInfo[reply.CollectionsJson.Count];
        for (int i = 0; i < list.Length; i++)
            list[i] = CatalogJson.ReadCollection(reply.CollectionsJson[i].Span);
        return list;
    }
}
