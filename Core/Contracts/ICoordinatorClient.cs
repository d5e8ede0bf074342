using VectorAspire.Core.Catalog;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Contracts;

/// <summary>
/// The Coordinator role as other roles see it: DDL and the catalog, timestamps and ids, and the segment catalog
/// the StreamingNode commits flushes to. In standalone this is the Coordinator itself; in a cluster, a network client.
/// </summary>
public interface ICoordinatorClient
{
    ValueTask<DatabaseInfo> CreateDatabaseAsync(string name, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken);

    /// <summary>Drops an empty database (never the default one).</summary>
    ValueTask DropDatabaseAsync(string name, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<DatabaseInfo>> ListDatabasesAsync(CancellationToken cancellationToken);

    /// <summary>The database called <paramref name="name"/> (empty = default), or null.</summary>
    ValueTask<DatabaseInfo?> FindDatabaseAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets <paramref name="properties"/> or removes <paramref name="deleteKeys"/>; <paramref name="dbId"/>, when given, must match.</summary>
    ValueTask<DatabaseInfo> AlterDatabaseAsync(string name, long? dbId, IReadOnlyDictionary<string, string> properties, IReadOnlyList<string> deleteKeys,
        CancellationToken cancellationToken);

    ValueTask<CollectionInfo> CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken);

    ValueTask DropCollectionAsync(string dbName, string name, CancellationToken cancellationToken);

    /// <summary>The collection called <paramref name="nameOrAlias"/> (aliases resolved), or null.</summary>
    ValueTask<CollectionInfo?> FindCollectionAsync(string dbName, string nameOrAlias, CancellationToken cancellationToken);

    ValueTask<CollectionInfo?> GetCollectionAsync(long collectionId, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(string dbName, CancellationToken cancellationToken);

    /// <summary>Every collection of every database (recovery).</summary>
    ValueTask<IReadOnlyList<CollectionInfo>> ListAllCollectionsAsync(CancellationToken cancellationToken);

    ValueTask RenameCollectionAsync(string dbName, string oldName, string newName, string? newDbName, CancellationToken cancellationToken);

    ValueTask CreatePartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken);

    ValueTask DropPartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken);

    /// <summary>Loads the collection (all partitions when <paramref name="partitions"/> is null).</summary>
    ValueTask LoadAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken);

    ValueTask ReleaseAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken);

    ValueTask CreateIndexAsync(string dbName, string collection, IndexInfo index, CancellationToken cancellationToken);

    ValueTask DropIndexAsync(string dbName, string collection, string indexName, CancellationToken cancellationToken);

    ValueTask CreateAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken);

    ValueTask AlterAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken);

    ValueTask DropAliasAsync(string dbName, string alias, CancellationToken cancellationToken);

    ValueTask<AliasInfo?> DescribeAliasAsync(string dbName, string alias, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<AliasInfo>> ListAliasesAsync(string dbName, string? collection, CancellationToken cancellationToken);

    ValueTask<ulong> AllocateTimestampAsync(int count, CancellationToken cancellationToken);

    /// <summary>Allocates <paramref name="count"/> consecutive unique ids and returns the first.</summary>
    ValueTask<long> AllocateIdsAsync(int count, CancellationToken cancellationToken);

    /// <summary>Sealed segments, flushed deletes and checkpoint of one shard.</summary>
    ValueTask<ShardState> GetShardStateAsync(long collectionId, string vchannel, CancellationToken cancellationToken);

    /// <summary>Atomically records flushed segments and deletes of a shard and advances its checkpoint.</summary>
    ValueTask CommitFlushAsync(FlushCommit commit, CancellationToken cancellationToken);

    /// <summary>Built rows of an index over sealed segments (growing rows are searched exactly and not counted).</summary>
    ValueTask<IndexProgress> GetIndexProgressAsync(long collectionId, string indexName, CancellationToken cancellationToken);
}

/// <summary>Rows of sealed segments with the index built, and rows of sealed segments in all.</summary>
public readonly record struct IndexProgress(long IndexedRows, long SealedRows, string? FailReason);

public sealed record CreateCollectionRequest
{
    public required string DbName { get; init; }
    public required CollectionSchema Schema { get; init; }
    public int ShardsNum { get; init; } = 1;
    public int NumPartitions { get; init; }
    public ConsistencyLevel ConsistencyLevel { get; init; } = ConsistencyLevel.Bounded;
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<IndexInfo> Indexes { get; init; } = [];
    public bool Load { get; init; }
}

public sealed record ShardState(IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<DeltaInfo> Deltas, long CheckpointLsn, IReadOnlyList<SegmentIndexInfo> SegmentIndexes);

/// <summary>One flush of a shard: new segments, delete logs (one per partition scope) and the new checkpoint, committed atomically.</summary>
/// <param name="Fence">When set, the commit applies only while this meta-store key still has this value: the WAL
/// writer epoch of the StreamingNode that flushed, so a node that lost the channel cannot move its checkpoint.</param>
public sealed record FlushCommit(long CollectionId, string VChannel, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<DeltaInfo> Deltas, long CheckpointLsn,
    Core.Wal.WalOwnershipGuard? Fence = null);
