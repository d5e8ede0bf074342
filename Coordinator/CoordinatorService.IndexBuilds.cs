using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Meta;

namespace VectorAspire.Coordinator;

/// <summary>
/// Index build scheduling: every sealed segment of a collection gets each buildable index of the collection built on
/// the DataNode (one build at a time, in the background); the result is recorded in the catalog and the StreamingNode
/// is told to have the QueryNode load it. Segments without a built index are searched exactly meanwhile.
/// </summary>
public sealed partial class CoordinatorService
{
    private const string SegmentIndexPrefix = "catalog/segment-indexes/";
    private readonly Channel<bool> _buildKick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<(long Collection, string Index), string> _buildFailures = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _buildLoop;

    /// <summary>Asks the scheduler to look for segments that need an index built.</summary>
    public void KickIndexBuilds() => _buildKick.Writer.TryWrite(true);

    private void StartIndexBuilds()
    {
        _buildLoop = Task.Run(() => BuildLoopAsync(_stopping.Token), CancellationToken.None);
        KickIndexBuilds();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_buildLoop is not null)
        {
            try
            {
                await _buildLoop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static bool IsBuilt(IndexInfo index) => index.IndexType != "FLAT" && VectorIndexFactory.CanBuild(index.IndexType);

    private async Task BuildLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _buildKick.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            reader.TryRead(out _);
            List<CollectionInfo> collections;
            lock (_collections)
                collections = [.. _collections.Values];
            foreach (var collection in collections)
            {
                try
                {
                    if (await BuildMissingAsync(collection, cancellationToken))
                        await _streaming.Value.SyncCollectionAsync(collection.CollectionId, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogBuildFailed(ex, collection.Name);
                }
            }
        }
    }

    /// <summary>Builds every missing (segment, index) pair of one collection; true when something was built.</summary>
    private async Task<bool> BuildMissingAsync(CollectionInfo collection, CancellationToken cancellationToken)
    {
        var indexes = collection.Indexes.Where(IsBuilt).ToList();
        if (indexes.Count == 0)
            return false;
        var segments = await ListSegmentsAsync(collection.CollectionId, cancellationToken);
        var built = (await ListSegmentIndexesAsync(collection.CollectionId, cancellationToken)).Select(i => (i.SegmentId, i.IndexName)).ToHashSet();
        bool any = false;
        foreach (var index in indexes)
        {
            foreach (var segment in segments)
            {
                if (built.Contains((segment.SegmentId, index.IndexName)) || _buildFailures.ContainsKey((collection.CollectionId, index.IndexName)))
                    continue;
                SegmentIndexInfo info;
                try
                {
                    info = await _dataNode.BuildIndexAsync(collection, segment, index, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _buildFailures[(collection.CollectionId, index.IndexName)] = ex.Message;
                    LogBuildFailed(ex, collection.Name);
                    break;
                }
                // Commit only while the collection still exists and still has this index; otherwise drop the file.
                bool current;
                lock (_collections)
                    current = _collections.TryGetValue(collection.CollectionId, out var now) && now.Indexes.Any(i => i.IndexName == index.IndexName && i.IndexType == index.IndexType);
                var result = current
                    ? await _store.TxnAsync([new TxnCompare(CollectionPrefix + collection.CollectionId, CompareTarget.Version, CompareOp.Greater, 0)],
                        [TxnOp.Put(SegmentIndexKey(info), CatalogJson.Serialize(info))], [], cancellationToken)
                    : null;
                if (result is not { Succeeded: true })
                {
                    await _dataNode.DeleteIndexFilesAsync([info], cancellationToken);
                    return any;
                }
                LogIndexBuilt(index.IndexName, index.IndexType, segment.SegmentId, info.Rows, info.BuildMilliseconds);
                any = true;
            }
        }
        return any;
    }

    public async ValueTask<IndexProgress> GetIndexProgressAsync(long collectionId, string indexName, CancellationToken cancellationToken)
    {
        var info = await GetCollectionAsync(collectionId, cancellationToken);
        var index = info?.Indexes.FirstOrDefault(i => i.IndexName == indexName);
        var segments = await ListSegmentsAsync(collectionId, cancellationToken);
        long sealedRows = segments.Sum(s => (long)s.RowCount);
        if (index is null || !IsBuilt(index))
            return new IndexProgress(sealedRows, sealedRows, null);
        var live = segments.Select(s => s.SegmentId).ToHashSet();
        long indexed = (await ListSegmentIndexesAsync(collectionId, cancellationToken))
            .Where(i => i.IndexName == indexName && live.Contains(i.SegmentId)).Sum(i => (long)i.Rows);
        return new IndexProgress(indexed, sealedRows, _buildFailures.GetValueOrDefault((collectionId, indexName)));
    }

    private async ValueTask<List<SegmentInfo>> ListSegmentsAsync(long collectionId, CancellationToken cancellationToken)
    {
        var list = new List<SegmentInfo>();
        foreach (var kv in await _store.ScanPrefixAsync($"{SegmentPrefix}{collectionId}/", cancellationToken))
            list.Add(CatalogJson.ReadSegment(kv.Value));
        return list;
    }

    private async ValueTask<List<SegmentIndexInfo>> ListSegmentIndexesAsync(long collectionId, CancellationToken cancellationToken)
    {
        var list = new List<SegmentIndexInfo>();
        foreach (var kv in await _store.ScanPrefixAsync($"{SegmentIndexPrefix}{collectionId}/", cancellationToken))
            list.Add(CatalogJson.ReadSegmentIndex(kv.Value));
        return list;
    }

    /// <summary>Removes the built files and catalog records of an index (after it left the collection record).</summary>
    private async ValueTask DropSegmentIndexesAsync(long collectionId, string indexName, CancellationToken cancellationToken)
    {
        _buildFailures.TryRemove((collectionId, indexName), out _);
        var doomed = (await ListSegmentIndexesAsync(collectionId, cancellationToken)).Where(i => i.IndexName == indexName).ToList();
        if (doomed.Count == 0)
            return;
        // Chunked to stay inside etcd's transaction limit; each delete is idempotent, and the files go only after all.
        for (int i = 0; i < doomed.Count; i += MetaStoreLimits.MaxTxnOps)
            await _store.TxnAsync([], [.. doomed.Skip(i).Take(MetaStoreLimits.MaxTxnOps).Select(x => TxnOp.Delete(SegmentIndexKey(x)))], [], cancellationToken);
        await _dataNode.DeleteIndexFilesAsync(doomed, cancellationToken);
    }

    private static string SegmentIndexKey(SegmentIndexInfo info)
        => string.Create(CultureInfo.InvariantCulture, $"{SegmentIndexPrefix}{info.CollectionId}/{info.SegmentId}/{info.IndexName}");

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Built index {Index} ({Type}) for segment {Segment}: {Rows} rows in {Ms} ms")]
    private partial void LogIndexBuilt(string index, string type, long segment, int rows, long ms);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Index build for collection {Collection} failed")]
    private partial void LogBuildFailed(Exception ex, string collection);
}
