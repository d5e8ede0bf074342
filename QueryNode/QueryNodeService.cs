using System.Collections.Concurrent;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Segments.Format;
using VectorAspire.Core.Storage;

namespace VectorAspire.QueryNode;

/// <summary>
/// The QueryNode role: holds sealed segments loaded from the object store and runs searches and queries over them at
/// the read timestamp the shard delegator chose. Deletes arrive from the delegator and mark rows.
/// </summary>
public sealed class QueryNodeService(IObjectStore objects) : IQueryNodeClient
{
    private readonly ConcurrentDictionary<long, SealedSegment> _segments = new();
    private readonly ConcurrentDictionary<long, CollectionSchema> _schemas = new();

    public long LoadedBytes
    {
        get
        {
            long total = 0;
            foreach (var s in _segments.Values)
                total += s.MemoryBytes;
            return total;
        }
    }

    public async ValueTask LoadSegmentsAsync(CollectionInfo collection, IReadOnlyList<SegmentInfo> segments, CancellationToken cancellationToken)
    {
        _schemas[collection.CollectionId] = collection.Schema;
        foreach (var info in segments)
        {
            if (_segments.ContainsKey(info.SegmentId))
                continue;
            string prefix = info.PathPrefix;
            var loaded = await SealedSegmentReader.ReadAsync(collection.Schema, (key, ct) => FetchAsync($"{prefix}/{key}", ct), cancellationToken);
            var segment = new SealedSegment(info.SegmentId, info.CollectionId, info.PartitionId, info.VChannel, collection.Schema, loaded.Block, loaded.Timestamps);
            _segments.TryAdd(info.SegmentId, segment);
        }
    }

    private async ValueTask<byte[]> FetchAsync(string key, CancellationToken cancellationToken)
        => await objects.GetAsync(key, cancellationToken) ?? throw new ObjectNotFoundException(key);

    public ValueTask ReleaseSegmentsAsync(long collectionId, IReadOnlyList<long>? segmentIds, CancellationToken cancellationToken)
    {
        foreach (var (id, seg) in _segments)
        {
            if (seg.CollectionId == collectionId && (segmentIds is null || segmentIds.Contains(id)))
                _segments.TryRemove(id, out _);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ApplyDeletesAsync(long collectionId, IReadOnlyList<long> segmentIds, Column keys, ReadOnlyMemory<ulong> timestamps, CancellationToken cancellationToken)
    {
        var scratch = new List<int>();
        var ts = timestamps.Span;
        foreach (long id in segmentIds)
        {
            if (!_segments.TryGetValue(id, out var seg))
                continue;
            for (int i = 0; i < keys.Count; i++)
                seg.ApplyDelete(PrimaryKey.FromColumn(keys, i), ts[i], scratch);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<ShardSearchResult> SearchAsync(long collectionId, IReadOnlyList<long> segmentIds, SearchPlan plan, ulong readTimestamp, CancellationToken cancellationToken)
        => ValueTask.FromResult(SegmentSearcher.Search(_schemas[collectionId], Resolve(segmentIds), plan, readTimestamp));

    public ValueTask<ShardQueryResult> QueryAsync(long collectionId, IReadOnlyList<long> segmentIds, QueryPlan plan, ulong readTimestamp, CancellationToken cancellationToken)
        => ValueTask.FromResult(SegmentQuerier.Query(_schemas[collectionId], Resolve(segmentIds), plan, readTimestamp));

    private List<Segment> Resolve(IReadOnlyList<long> segmentIds)
    {
        var list = new List<Segment>(segmentIds.Count);
        foreach (long id in segmentIds)
        {
            if (!_segments.TryGetValue(id, out var seg))
                throw new InvalidOperationException($"segment {id} is not loaded on this query node");
            list.Add(seg);
        }
        return list;
    }
}
