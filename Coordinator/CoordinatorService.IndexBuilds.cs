using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Contracts.Messages;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Meta;

namespace VectorAspire.Coordinator;

/// <summary>
/// Index build scheduling over the control bus: every sealed segment of a collection gets each buildable index of the
/// collection built. The scheduler (the leader) publishes a <see cref="BuildSegmentIndex"/> job per missing (segment,
/// index) pair; one DataNode takes it (a job whose DataNode dies is redelivered to another), builds, writes the file
/// under a key of its own and publishes the outcome; any Coordinator instance commits it to the catalog
/// (<see cref="CommitBuiltIndexAsync"/>) with a compare-and-swap, so a duplicate job or a redelivered outcome changes
/// nothing, and then asks the StreamingNodes to have the QueryNodes load it. Segments without a built index are
/// searched exactly meanwhile. The scheduler also rescans periodically, so a lost message only delays a build.
/// </summary>
public sealed partial class CoordinatorService
{
    private const string SegmentIndexPrefix = "catalog/segment-indexes/";
    private const string IndexFailurePrefix = "catalog/index-failures/";
    private static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(10);
    private readonly Channel<bool> _buildKick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _syncKick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<long, bool> _syncPending = new();
    /// <summary>Jobs this scheduler published and has not seen committed: (collection, segment, index) → when sent.</summary>
    private readonly ConcurrentDictionary<(long Collection, long Segment, string Index), long> _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _buildLoop;
    private Task? _syncLoop;
    private int _syncLoopStarted;

    /// <summary>A job not committed after this long is published again (its messages may have been lost).</summary>
    internal TimeSpan ResendAfter { get; set; } = TimeSpan.FromMinutes(10);

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
        foreach (var loop in new[] { _buildLoop, _syncLoop })
        {
            if (loop is null)
                continue;
            try
            {
                await loop.WaitAsync(cancellationToken);
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
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var rescan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                rescan.CancelAfter(RescanInterval);
                await reader.WaitToReadAsync(rescan.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
            reader.TryRead(out _);
            List<CollectionInfo> collections;
            lock (_collections)
                collections = [.. _collections.Values];
            foreach (var key in _inFlight.Keys)
            {
                if (!collections.Any(c => c.CollectionId == key.Collection))
                    _inFlight.TryRemove(key, out _);
            }
            foreach (var collection in collections)
            {
                try
                {
                    await ScheduleMissingAsync(collection, cancellationToken);
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

    /// <summary>Publishes a build job for every missing (segment, index) pair of one collection not already in flight.</summary>
    private async Task ScheduleMissingAsync(CollectionInfo collection, CancellationToken cancellationToken)
    {
        var indexes = collection.Indexes.Where(IsBuilt).ToList();
        if (indexes.Count == 0)
            return;
        var segments = await ListSegmentsAsync(collection.CollectionId, cancellationToken);
        var built = (await ListSegmentIndexesAsync(collection.CollectionId, cancellationToken)).Select(i => (i.SegmentId, i.IndexName)).ToHashSet();
        var failed = await ListIndexFailuresAsync(collection.CollectionId, cancellationToken);
        long now = Environment.TickCount64;
        string? collectionJson = null;
        foreach (var index in indexes)
        {
            if (failed.ContainsKey(index.IndexName))
                continue;
            string? indexJson = null;
            foreach (var segment in segments)
            {
                var job = (collection.CollectionId, segment.SegmentId, index.IndexName);
                if (built.Contains((segment.SegmentId, index.IndexName)))
                {
                    _inFlight.TryRemove(job, out _);
                    continue;
                }
                if (_inFlight.TryGetValue(job, out long sent) && now - sent < (long)ResendAfter.TotalMilliseconds)
                    continue;
                long buildId = await AllocateIdsAsync(1, cancellationToken);
                collectionJson ??= System.Text.Encoding.UTF8.GetString(CatalogJson.Serialize(collection));
                indexJson ??= System.Text.Encoding.UTF8.GetString(CatalogJson.Serialize(index));
                _inFlight[job] = now;
                await _bus.PublishAsync(new BuildSegmentIndex(collection.CollectionId, segment.SegmentId, index.IndexName, buildId,
                    collectionJson, System.Text.Encoding.UTF8.GetString(CatalogJson.Serialize(segment)), indexJson), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Commits a built index to the catalog: only while the collection still has that index and the segment still
    /// exists, and only if no build of the pair is committed yet. A build that loses (a duplicate job, a dropped index)
    /// has its file removed; a redelivered outcome of the committed build changes nothing. Returns true when committed.
    /// </summary>
    public async ValueTask<bool> CommitBuiltIndexAsync(SegmentIndexInfo info, CancellationToken cancellationToken)
    {
        string key = SegmentIndexKey(info);
        string segmentKey = SegmentKey(info.CollectionId, info.SegmentId);
        for (int attempt = 0; ; attempt++)
        {
            var existing = await _store.GetAsync(key, cancellationToken);
            if (existing is not null)
            {
                if (CatalogJson.ReadSegmentIndex(existing.Value).Key != info.Key)
                    await _dataNode.DeleteIndexFilesAsync([info], cancellationToken);
                return false;
            }
            var collection = await _store.GetAsync(CollectionPrefix + info.CollectionId, cancellationToken);
            bool current = collection is not null
                && CatalogJson.ReadCollection(collection.Value).Indexes.Any(i => i.IndexName == info.IndexName && i.IndexType == info.IndexType)
                && await _store.GetAsync(segmentKey, cancellationToken) is not null;
            if (!current)
            {
                await _dataNode.DeleteIndexFilesAsync([info], cancellationToken);
                return false;
            }
            var result = await _store.TxnAsync(
                [TxnCompare.ModRevisionIs(CollectionPrefix + info.CollectionId, collection!.ModRevision), TxnCompare.KeyAbsent(key),
                 new TxnCompare(segmentKey, CompareTarget.Version, CompareOp.Greater, 0)],
                [TxnOp.Put(key, CatalogJson.Serialize(info))], [], cancellationToken);
            if (result.Succeeded)
                break;
            // Lost a race (the collection record changed, a duplicate committed, the segment went): decide again.
            if (attempt >= 8)
                throw new InvalidOperationException($"committing index {info.IndexName} of segment {info.SegmentId} kept losing races; the job is retried");
        }
        LogIndexBuilt(info.IndexName, info.IndexType, info.SegmentId, info.Rows, info.BuildMilliseconds);
        RequestCollectionSync(info.CollectionId);
        return true;
    }

    /// <summary>Marks an index failed (what describe_index reports) while the collection still has that index.</summary>
    public async ValueTask RecordIndexBuildFailureAsync(long collectionId, long segmentId, IndexInfo index, string reason, CancellationToken cancellationToken)
    {
        var collection = await _store.GetAsync(CollectionPrefix + collectionId, cancellationToken);
        if (collection is null || !CatalogJson.ReadCollection(collection.Value).Indexes.Any(i => i.IndexName == index.IndexName && i.IndexType == index.IndexType))
            return;
        // A job for a segment that is gone (dropped) failed for that reason only.
        if (await _store.GetAsync(SegmentKey(collectionId, segmentId), cancellationToken) is null)
            return;
        await _store.TxnAsync([TxnCompare.ModRevisionIs(CollectionPrefix + collectionId, collection.ModRevision)],
            [TxnOp.Put(IndexFailureKey(collectionId, index.IndexName), System.Text.Encoding.UTF8.GetBytes(reason))], [], cancellationToken);
        LogIndexBuildFailed(index.IndexName, segmentId, reason);
    }

    /// <summary>Has the StreamingNodes sync the collection (load new indexes), coalescing bursts of commits.</summary>
    private void RequestCollectionSync(long collectionId)
    {
        _syncPending[collectionId] = true;
        if (Interlocked.Exchange(ref _syncLoopStarted, 1) == 0)
            _syncLoop = Task.Run(() => SyncLoopAsync(_stopping.Token), CancellationToken.None);
        _syncKick.Writer.TryWrite(true);
    }

    private async Task SyncLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _syncKick.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                reader.TryRead(out _);
                foreach (long id in _syncPending.Keys)
                {
                    _syncPending.TryRemove(id, out _);
                    try
                    {
                        await _streaming.Value.SyncCollectionAsync(id, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogSyncFailed(ex, id);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
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
        var failure = await _store.GetAsync(IndexFailureKey(collectionId, indexName), cancellationToken);
        return new IndexProgress(indexed, sealedRows, failure is null ? null : System.Text.Encoding.UTF8.GetString(failure.Value));
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
        await _store.DeleteAsync(IndexFailureKey(collectionId, indexName), cancellationToken);
        var doomed = (await ListSegmentIndexesAsync(collectionId, cancellationToken)).Where(i => i.IndexName == indexName).ToList();
        if (doomed.Count == 0)
            return;
        // Chunked to stay inside etcd's transaction limit; each delete is idempotent, and the files go only after all.
        for (int i = 0; i < doomed.Count; i += MetaStoreLimits.MaxTxnOps)
            await _store.TxnAsync([], [.. doomed.Skip(i).Take(MetaStoreLimits.MaxTxnOps).Select(x => TxnOp.Delete(SegmentIndexKey(x)))], [], cancellationToken);
        await _dataNode.DeleteIndexFilesAsync(doomed, cancellationToken);
    }

    private async ValueTask<Dictionary<string, string>> ListIndexFailuresAsync(long collectionId, CancellationToken cancellationToken)
    {
        string prefix = $"{IndexFailurePrefix}{collectionId}/";
        var failures = new Dictionary<string, string>();
        foreach (var kv in await _store.ScanPrefixAsync(prefix, cancellationToken))
            failures[kv.Key[prefix.Length..]] = System.Text.Encoding.UTF8.GetString(kv.Value);
        return failures;
    }

    private static string IndexFailureKey(long collectionId, string indexName)
        => string.Create(CultureInfo.InvariantCulture, $"{IndexFailurePrefix}{collectionId}/{indexName}");

    private static string SegmentKey(long collectionId, long segmentId)
        => string.Create(CultureInfo.InvariantCulture, $"{SegmentPrefix}{collectionId}/{segmentId}");

    private static string SegmentIndexKey(SegmentIndexInfo info)
        => string.Create(CultureInfo.InvariantCulture, $"{SegmentIndexPrefix}{info.CollectionId}/{info.SegmentId}/{info.IndexName}");

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Built index {Index} ({Type}) for segment {Segment}: {Rows} rows in {Ms} ms")]
    private partial void LogIndexBuilt(string index, string type, long segment, int rows, long ms);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Index {Index} failed to build for segment {Segment}: {Reason}")]
    private partial void LogIndexBuildFailed(string index, long segment, string reason);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Syncing collection {Collection} after an index build failed; the next build or load syncs it")]
    private partial void LogSyncFailed(Exception ex, long collection);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Scheduling index builds for collection {Collection} failed")]
    private partial void LogBuildFailed(Exception ex, string collection);
}
