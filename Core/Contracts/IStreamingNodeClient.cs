using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Query;

namespace VectorAspire.Core.Contracts;

/// <summary>
/// The StreamingNode role: owns the WAL channels, stamps and applies writes, holds growing segments, and is each
/// shard's delegator for reads (growing data here, sealed segments on QueryNodes).
/// </summary>
public interface IStreamingNodeClient
{
    /// <summary>Durably appends a write to the shard's WAL and applies it; returns its timestamp once acknowledged.</summary>
    ValueTask<ulong> WriteAsync(ShardWrite write, CancellationToken cancellationToken);

    ValueTask<ShardSearchResult> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken);

    ValueTask<ShardQueryResult> QueryAsync(ShardQueryRequest request, CancellationToken cancellationToken);

    /// <summary>Seals and flushes every growing segment of the collection; returns when the flush is committed.</summary>
    ValueTask FlushAsync(long collectionId, CancellationToken cancellationToken);

    /// <summary>The collection's catalog entry changed (created, loaded, released, partitions): refresh shard views.</summary>
    ValueTask SyncCollectionAsync(long collectionId, CancellationToken cancellationToken);

    /// <summary>The collection was dropped: forget its shards and data.</summary>
    ValueTask DropCollectionAsync(long collectionId, CancellationToken cancellationToken);

    /// <summary>Rows per partition currently held for the collection (growing + sealed, deletes not subtracted).</summary>
    ValueTask<long> CountRowsAsync(long collectionId, IReadOnlyList<long>? partitionIds, CancellationToken cancellationToken);
}

public enum WriteKind : byte
{
    Insert = 1,
    Delete = 2,
    Upsert = 3,
}

/// <summary>A write for one shard. Inserts carry full rows (every schema field); deletes carry primary keys.</summary>
public sealed record ShardWrite
{
    public required long CollectionId { get; init; }
    public required int Shard { get; init; }
    public required WriteKind Kind { get; init; }
    public long PartitionId { get; init; }
    public ColumnBlock? Rows { get; init; }
    /// <summary>Keys to delete (Int64 or VarChar column). For upserts: the keys of <see cref="Rows"/>.</summary>
    public Column? DeleteKeys { get; init; }
    /// <summary>Partition the deletes apply to (0 = every partition).</summary>
    public long DeletePartitionId { get; init; }
}

public sealed record ShardSearchRequest
{
    public required long CollectionId { get; init; }
    public required int Shard { get; init; }
    public required SearchPlan Plan { get; init; }
    public required ulong GuaranteeTimestamp { get; init; }
}

public sealed record ShardQueryRequest
{
    public required long CollectionId { get; init; }
    public required int Shard { get; init; }
    public required QueryPlan Plan { get; init; }
    public required ulong GuaranteeTimestamp { get; init; }
}
