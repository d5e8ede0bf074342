using System.Globalization;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Segments.Format;
using VectorAspire.Core.Storage;

namespace VectorAspire.DataNode;

/// <summary>
/// The DataNode role: turns flushed rows and deletes into object-store files (column files + stats + manifest per
/// segment, one delete log per flushed batch of deletes). Files are written before the catalog commit that
/// references them, so a crash leaves at worst unreferenced files, never a catalog entry without data.
/// </summary>
public sealed class DataNodeService(IObjectStore objects) : IDataNodeClient
{
    public static string SegmentPrefix(long collectionId, long partitionId, long segmentId)
        => string.Create(CultureInfo.InvariantCulture, $"segments/{collectionId}/{partitionId}/{segmentId}");

    public async ValueTask<SegmentInfo> WriteSegmentAsync(CollectionInfo collection, long segmentId, long partitionId, string vchannel,
        ColumnBlock rows, ulong[] insertTimestamps, CancellationToken cancellationToken)
    {
        string prefix = SegmentPrefix(collection.CollectionId, partitionId, segmentId);
        var files = SealedSegmentWriter.Write(new SegmentIdentity(collection.CollectionId, partitionId, segmentId, vchannel),
            rows, insertTimestamps.AsSpan(0, rows.RowCount)).Files;
        // The manifest goes last: a segment is complete exactly when its manifest exists.
        foreach (var (name, bytes) in files.OrderBy(f => f.Key == SealedSegmentWriter.ManifestFileName ? 1 : 0))
            await objects.PutAsync($"{prefix}/{name}", bytes, cancellationToken);
        ulong min = ulong.MaxValue, max = 0;
        for (int i = 0; i < rows.RowCount; i++)
        {
            min = Math.Min(min, insertTimestamps[i]);
            max = Math.Max(max, insertTimestamps[i]);
        }
        return new SegmentInfo
        {
            SegmentId = segmentId,
            CollectionId = collection.CollectionId,
            PartitionId = partitionId,
            VChannel = vchannel,
            RowCount = rows.RowCount,
            PathPrefix = prefix,
            MinTimestamp = rows.RowCount == 0 ? 0 : min,
            MaxTimestamp = max,
        };
    }

    public async ValueTask<DeltaInfo> WriteDeltaAsync(CollectionInfo collection, long deltaId, string vchannel, long partitionId, Column keys, ulong[] timestamps, CancellationToken cancellationToken)
    {
        string key = string.Create(CultureInfo.InvariantCulture, $"deltas/{collection.CollectionId}/{deltaId}.delta");
        await objects.PutAsync(key, DeltaLogFile.Write(new DeltaLog(keys, timestamps)), cancellationToken);
        ulong min = ulong.MaxValue, max = 0;
        foreach (var ts in timestamps)
        {
            min = Math.Min(min, ts);
            max = Math.Max(max, ts);
        }
        return new DeltaInfo
        {
            DeltaId = deltaId,
            CollectionId = collection.CollectionId,
            VChannel = vchannel,
            PartitionId = partitionId,
            Count = keys.Count,
            Key = key,
            MinTimestamp = min,
            MaxTimestamp = max,
        };
    }

    public async ValueTask<(Column Keys, ulong[] Timestamps)> ReadDeltaAsync(CollectionInfo collection, DeltaInfo delta, CancellationToken cancellationToken)
    {
        var bytes = await objects.GetAsync(delta.Key, cancellationToken) ?? throw new ObjectNotFoundException(delta.Key);
        var log = DeltaLogFile.Read(bytes);
        if (log.PkType != collection.Schema.PrimaryKey.DataType)
            throw new SegmentFormatException($"delete log '{delta.Key}' holds {log.PkType} keys, the primary key is {collection.Schema.PrimaryKey.DataType}");
        return (log.PrimaryKeys, log.Timestamps);
    }

    public async ValueTask DeleteCollectionDataAsync(long collectionId, CancellationToken cancellationToken)
    {
        foreach (var prefix in new[] { $"segments/{collectionId}/", $"deltas/{collectionId}/" })
        {
            var keys = new List<string>();
            await foreach (var obj in objects.ListAsync(prefix, cancellationToken))
                keys.Add(obj.Key);
            foreach (var key in keys)
                await objects.DeleteAsync(key, cancellationToken);
        }
    }
}
