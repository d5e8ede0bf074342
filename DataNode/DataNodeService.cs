using System.Globalization;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Vectors;
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

    /// <summary>
    /// Builds <paramref name="index"/> over a sealed segment's vectors and writes the index file under a key that
    /// includes <paramref name="buildId"/>: a second run of the same job writes a second file, never over the first.
    /// </summary>
    public async ValueTask<SegmentIndexInfo> BuildIndexAsync(CollectionInfo collection, SegmentInfo segment, IndexInfo index, long buildId, CancellationToken cancellationToken)
    {
        var field = collection.Schema.FindField(index.FieldId)
            ?? throw new InvalidOperationException($"field {index.FieldId} of index '{index.IndexName}' is not in the schema");
        var manifestKey = $"{segment.PathPrefix}/{SealedSegmentWriter.ManifestFileName}";
        var manifest = SegmentManifestFile.Read(await objects.GetAsync(manifestKey, cancellationToken) ?? throw new ObjectNotFoundException(manifestKey));
        var entry = manifest.FindColumn(field.FieldId) ?? throw new SegmentFormatException($"segment {segment.SegmentId} has no column file for field '{field.Name}'");
        var columnKey = $"{segment.PathPrefix}/{entry.Key}";
        var column = (VectorColumn)ColumnFile.Read(await objects.GetAsync(columnKey, cancellationToken) ?? throw new ObjectNotFoundException(columnKey), field);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var built = VectorIndexFactory.Build(index.IndexType, column.RawValues.AsMemory(0, column.Count * column.Dim), column.Count, column.Dim,
            MetricTypes.Parse(index.MetricType), index.Params, Environment.ProcessorCount, cancellationToken);
        var bytes = built.Serialize();
        clock.Stop();
        string key = string.Create(CultureInfo.InvariantCulture, $"{segment.PathPrefix}/indexes/{index.IndexName}.{buildId}.{index.IndexType.ToLowerInvariant()}.idx");
        await objects.PutAsync(key, bytes, cancellationToken);
        return new SegmentIndexInfo
        {
            CollectionId = collection.CollectionId,
            SegmentId = segment.SegmentId,
            IndexName = index.IndexName,
            IndexType = index.IndexType,
            FieldId = field.FieldId,
            Key = key,
            Rows = column.Count,
            BuildMilliseconds = clock.ElapsedMilliseconds,
            SizeBytes = bytes.Length,
        };
    }

    public async ValueTask DeleteIndexFilesAsync(IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken)
    {
        foreach (var i in indexes)
            await objects.DeleteAsync(i.Key, cancellationToken);
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
