using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;

namespace VectorAspire.Core.Contracts;

/// <summary>
/// The DataNode role: writes flushed data to the object store (segments and delete logs). Index builds reach it as
/// jobs over the control bus (<see cref="Messages.BuildSegmentIndex"/>), not through this interface.
/// </summary>
public interface IDataNodeClient
{
    /// <summary>Writes a sealed segment's files; returns the catalog record to commit.</summary>
    ValueTask<SegmentInfo> WriteSegmentAsync(CollectionInfo collection, long segmentId, long partitionId, string vchannel,
        ColumnBlock rows, ulong[] insertTimestamps, CancellationToken cancellationToken);

    /// <summary>Writes a batch of deletes (an L0 delete log); returns the catalog record to commit.</summary>
    ValueTask<DeltaInfo> WriteDeltaAsync(CollectionInfo collection, long deltaId, string vchannel, long partitionId, Column keys, ulong[] timestamps, CancellationToken cancellationToken);

    /// <summary>Reads a delete log back (used when loading a shard).</summary>
    ValueTask<(Column Keys, ulong[] Timestamps)> ReadDeltaAsync(CollectionInfo collection, DeltaInfo delta, CancellationToken cancellationToken);

    /// <summary>Removes index files (after the catalog stopped referencing them).</summary>
    ValueTask DeleteIndexFilesAsync(IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken);

    /// <summary>Removes every file of a collection.</summary>
    ValueTask DeleteCollectionDataAsync(long collectionId, CancellationToken cancellationToken);
}
