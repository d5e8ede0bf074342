using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using PI = VectorAspire.Protos.Internal;
using static VectorAspire.Cluster.InternalCodec;

namespace VectorAspire.Coordinator.Grpc;

/// <summary>Serves vectoraspire.internal.Coordinator from the in-process <see cref="CoordinatorService"/>.</summary>
public sealed class CoordinatorGrpcService(CoordinatorService coordinator) : PI.Coordinator.CoordinatorBase
{
    private static readonly PI.Empty s_empty = new();

    public override async Task<PI.CollectionReply> CreateCollection(PI.CreateCollectionRequest request, ServerCallContext context)
    {
        var indexes = new IndexInfo[request.IndexesJson.Count];
        for (int i = 0; i < indexes.Length; i++)
            indexes[i] = CatalogJson.ReadIndex(request.IndexesJson[i].Span);
        var info = await coordinator.CreateCollectionAsync(new CreateCollectionRequest
        {
            DbName = request.DbName,
            Schema = CatalogJson.ReadSchema(request.SchemaJson.Span),
            ShardsNum = request.ShardsNum,
            NumPartitions = request.NumPartitions,
            ConsistencyLevel = (ConsistencyLevel)request.ConsistencyLevel,
            Properties = new Dictionary<string, string>(request.Properties, StringComparer.Ordinal),
            Indexes = indexes,
            Load = request.Load,
        }, context.CancellationToken);
        return Reply(info);
    }

    public override async Task<PI.Empty> DropCollection(PI.CollectionName request, ServerCallContext context)
    {
        await coordinator.DropCollectionAsync(request.DbName, request.Name, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.CollectionReply> FindCollection(PI.CollectionName request, ServerCallContext context)
        => Reply(await coordinator.FindCollectionAsync(request.DbName, request.Name, context.CancellationToken));

    public override async Task<PI.CollectionReply> GetCollection(PI.CollectionId request, ServerCallContext context)
        => Reply(await coordinator.GetCollectionAsync(request.CollectionId_, context.CancellationToken));

    public override async Task<PI.CollectionList> ListCollections(PI.DbName request, ServerCallContext context)
        => List(await coordinator.ListCollectionsAsync(request.DbName_, context.CancellationToken));

    public override async Task<PI.CollectionList> ListAllCollections(PI.Empty request, ServerCallContext context)
        => List(await coordinator.ListAllCollectionsAsync(context.CancellationToken));

    public override async Task<PI.Empty> RenameCollection(PI.RenameCollectionRequest request, ServerCallContext context)
    {
        await coordinator.RenameCollectionAsync(request.DbName, request.OldName, request.NewName, request.HasNewDbName ? request.NewDbName : null, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> CreatePartition(PI.PartitionName request, ServerCallContext context)
    {
        await coordinator.CreatePartitionAsync(request.DbName, request.Collection, request.Partition, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> DropPartition(PI.PartitionName request, ServerCallContext context)
    {
        await coordinator.DropPartitionAsync(request.DbName, request.Collection, request.Partition, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> Load(PI.LoadRequest request, ServerCallContext context)
    {
        await coordinator.LoadAsync(request.DbName, request.Collection, request.HasPartitions ? [.. request.Partitions] : null, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> Release(PI.LoadRequest request, ServerCallContext context)
    {
        await coordinator.ReleaseAsync(request.DbName, request.Collection, request.HasPartitions ? [.. request.Partitions] : null, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> CreateIndex(PI.CreateIndexRequest request, ServerCallContext context)
    {
        await coordinator.CreateIndexAsync(request.DbName, request.Collection, CatalogJson.ReadIndex(request.IndexJson.Span), context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> DropIndex(PI.DropIndexRequest request, ServerCallContext context)
    {
        await coordinator.DropIndexAsync(request.DbName, request.Collection, request.IndexName, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> CreateAlias(PI.AliasRequest request, ServerCallContext context)
    {
        await coordinator.CreateAliasAsync(request.DbName, request.Alias, request.Collection, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> AlterAlias(PI.AliasRequest request, ServerCallContext context)
    {
        await coordinator.AlterAliasAsync(request.DbName, request.Alias, request.Collection, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.Empty> DropAlias(PI.AliasRequest request, ServerCallContext context)
    {
        await coordinator.DropAliasAsync(request.DbName, request.Alias, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.AliasReply> DescribeAlias(PI.AliasRequest request, ServerCallContext context)
    {
        var alias = await coordinator.DescribeAliasAsync(request.DbName, request.Alias, context.CancellationToken);
        return new PI.AliasReply { AliasJson = alias is null ? Google.Protobuf.ByteString.Empty : Wrap(CatalogJson.Serialize(alias)) };
    }

    public override async Task<PI.AliasList> ListAliases(PI.ListAliasesRequest request, ServerCallContext context)
    {
        var aliases = await coordinator.ListAliasesAsync(request.DbName, request.HasCollection ? request.Collection : null, context.CancellationToken);
        var reply = new PI.AliasList();
        foreach (var a in aliases)
            reply.AliasesJson.Add(Wrap(CatalogJson.Serialize(a)));
        return reply;
    }

    public override async Task<PI.AllocateReply> AllocateTimestamp(PI.AllocateRequest request, ServerCallContext context)
        => new() { Value = await coordinator.AllocateTimestampAsync(request.Count, context.CancellationToken) };

    public override async Task<PI.AllocateReply> AllocateIds(PI.AllocateRequest request, ServerCallContext context)
        => new() { Value = (ulong)await coordinator.AllocateIdsAsync(request.Count, context.CancellationToken) };

    public override async Task<PI.ShardStateReply> GetShardState(PI.ShardRef request, ServerCallContext context)
    {
        var state = await coordinator.GetShardStateAsync(request.CollectionId, request.Vchannel, context.CancellationToken);
        var reply = new PI.ShardStateReply { CheckpointLsn = state.CheckpointLsn };
        foreach (var s in state.Segments)
            reply.SegmentsJson.Add(Wrap(CatalogJson.Serialize(s)));
        foreach (var d in state.Deltas)
            reply.DeltasJson.Add(Wrap(CatalogJson.Serialize(d)));
        foreach (var i in state.SegmentIndexes)
            reply.SegmentIndexesJson.Add(Wrap(CatalogJson.Serialize(i)));
        return reply;
    }

    public override async Task<PI.Empty> CommitFlush(PI.FlushCommit request, ServerCallContext context)
    {
        var segments = new SegmentInfo[request.SegmentsJson.Count];
        for (int i = 0; i < segments.Length; i++)
            segments[i] = CatalogJson.ReadSegment(request.SegmentsJson[i].Span);
        var deltas = new DeltaInfo[request.DeltasJson.Count];
        for (int i = 0; i < deltas.Length; i++)
            deltas[i] = CatalogJson.ReadDelta(request.DeltasJson[i].Span);
        var fence = request.FenceKey.Length > 0 ? new Core.Wal.WalOwnershipGuard(request.FenceKey, request.FenceValue.ToByteArray()) : null;
        await coordinator.CommitFlushAsync(new FlushCommit(request.CollectionId, request.Vchannel, segments, deltas, request.CheckpointLsn, fence), context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.IndexProgressReply> GetIndexProgress(PI.IndexProgressRequest request, ServerCallContext context)
    {
        var progress = await coordinator.GetIndexProgressAsync(request.CollectionId, request.IndexName, context.CancellationToken);
        var reply = new PI.IndexProgressReply { IndexedRows = progress.IndexedRows, SealedRows = progress.SealedRows };
        if (progress.FailReason is not null)
            reply.FailReason = progress.FailReason;
        return reply;
    }

    public override async Task<PI.DatabaseReply> CreateDatabase(PI.CreateDatabaseRequest request, ServerCallContext context)
        => Reply(await coordinator.CreateDatabaseAsync(request.DbName, new Dictionary<string, string>(request.Properties, StringComparer.Ordinal), context.CancellationToken));

    public override async Task<PI.Empty> DropDatabase(PI.DbName request, ServerCallContext context)
    {
        await coordinator.DropDatabaseAsync(request.DbName_, context.CancellationToken);
        return s_empty;
    }

    public override async Task<PI.DatabaseList> ListDatabases(PI.Empty request, ServerCallContext context)
    {
        var reply = new PI.DatabaseList();
        foreach (var db in await coordinator.ListDatabasesAsync(context.CancellationToken))
            reply.DatabasesJson.Add(Wrap(CatalogJson.Serialize(db)));
        return reply;
    }

    public override async Task<PI.DatabaseReply> FindDatabase(PI.DbName request, ServerCallContext context)
        => Reply(await coordinator.FindDatabaseAsync(request.DbName_, context.CancellationToken));

    public override async Task<PI.DatabaseReply> AlterDatabase(PI.AlterDatabaseRequest request, ServerCallContext context)
        => Reply(await coordinator.AlterDatabaseAsync(request.DbName, request.HasDbId ? request.DbId : null,
            new Dictionary<string, string>(request.Properties, StringComparer.Ordinal), [.. request.DeleteKeys], context.CancellationToken));

    private static PI.DatabaseReply Reply(DatabaseInfo? info)
        => new() { DatabaseJson = info is null ? Google.Protobuf.ByteString.Empty : Wrap(CatalogJson.Serialize(info)) };

    private static PI.CollectionReply Reply(CollectionInfo? info)
        => new() { CollectionJson = info is null ? Google.Protobuf.ByteString.Empty : Wrap(CatalogJson.Serialize(info)) };

    private static PI.CollectionList List(IReadOnlyList<CollectionInfo> infos)
    {
        var reply = new PI.CollectionList();
        foreach (var info in infos)
            reply.CollectionsJson.Add(Wrap(CatalogJson.Serialize(info)));
        return reply;
    }
}

public static class CoordinatorGrpcExtensions
{
    /// <summary>Maps the internal Coordinator gRPC service (needs AddInternalGrpcServer).</summary>
    public static IEndpointConventionBuilder MapCoordinatorGrpc(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGrpcService<CoordinatorGrpcService>();
}
