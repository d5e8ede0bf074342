using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Query;

namespace VectorAspire.Core.Contracts;

/// <summary>The QueryNode role: loads sealed segments from the object store and searches them.</summary>
public interface IQueryNodeClient
{
    /// <summary>Loads segments (no-op for ones already loaded).</summary>
    ValueTask LoadSegmentsAsync(CollectionInfo collection, IReadOnlyList<SegmentInfo> segments, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the loaded segments of the collection use exactly these built indexes: loads missing ones from the object
    /// store, drops ones no longer listed. Segments without an index are searched exactly.
    /// </summary>
    ValueTask SyncSegmentIndexesAsync(CollectionInfo collection, IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken);

    /// <summary>Releases segments; null releases every segment of the collection.</summary>
    ValueTask ReleaseSegmentsAsync(long collectionId, IReadOnlyList<long>? segmentIds, CancellationToken cancellationToken);

    /// <summary>Hides rows of these keys inserted before their delete timestamps, in the given segments.</summary>
    ValueTask ApplyDeletesAsync(long collectionId, IReadOnlyList<long> segmentIds, Column keys, ReadOnlyMemory<ulong> timestamps, CancellationToken cancellationToken);

    ValueTask<ShardSearchResult> SearchAsync(long collectionId, IReadOnlyList<long> segmentIds, SearchPlan plan, ulong readTimestamp, CancellationToken cancellationToken);

    ValueTask<ShardQueryResult> QueryAsync(long collectionId, IReadOnlyList<long> segmentIds, QueryPlan plan, ulong readTimestamp, CancellationToken cancellationToken);

    /// <summary>Bytes held by loaded segments (for memory accounting and tests); a call, so a remote node answers it fresh.</summary>
    ValueTask<long> GetLoadedBytesAsync(CancellationToken cancellationToken);
}
