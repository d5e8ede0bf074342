using System.Collections.Concurrent;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Indexes;
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

    public ValueTask<long> GetLoadedBytesAsync(CancellationToken cancellationToken) => ValueTask.FromResult(LoadedBytes);

    public long LoadedBytes
    {
        get
        {
            long total = 0;
            foreach (var s in _segments.Values)
                total += s.MemoryBytes + s.IndexMemoryBytes;
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

    public async ValueTask SyncSegmentIndexesAsync(CollectionInfo collection, IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<(long Segment, long Field), SegmentIndexInfo>();
        foreach (var i in indexes)
        {
            if (i.CollectionId == collection.CollectionId)
                wanted[(i.SegmentId, i.FieldId)] = i;
        }
        foreach (var seg in _segments.Values)
        {
            if (seg.CollectionId != collection.CollectionId)
                continue;
            for (int f = 0; f < collection.Schema.Fields.Count; f++)
            {
                var field = collection.Schema.Fields[f];
                if (!field.DataType.IsVector())
                    continue;
                bool has = seg.TryGetIndex(f, out var current);
                if (!wanted.TryGetValue((seg.SegmentId, field.FieldId), out var info))
                {
                    if (has)
                        seg.RemoveIndex(f);
                    continue;
                }
                if (has && current.IndexName == info.IndexName)
                    continue;
                var bytes = await FetchAsync(info.Key, cancellationToken);
                var vectors = VectorIndexFactory.LoadReadsSegmentVectors(info.IndexType) ? seg.VectorsForIndexLoad(f) : default;
                var index = VectorIndexFactory.Load(info.IndexType, bytes, vectors);
                if (index.Count != seg.RowCount)
                    throw new InvalidDataException($"index '{info.Key}' covers {index.Count} rows, segment {seg.SegmentId} has {seg.RowCount}");
                seg.SetIndex(f, new LoadedIndex(info.IndexName, index));
            }
        }
    }

    /// <summary>Sealed segments currently searched through a built index (for tests and metrics).</summary>
    public int IndexedSegmentCount => _segments.Values.Count(s => s.Indexes.Any());

    /// <summary>Vector fields of loaded segments whose vectors only their index holds (for tests and metrics).</summary>
    public int IndexHeldVectorFieldCount
    {
        get
        {
            int n = 0;
            foreach (var s in _segments.Values)
            {
                foreach (var c in s.Block.Columns.Columns)
                {
                    if (c is VectorColumn { IsIndexBacked: true })
                        n++;
                }
            }
            return n;
        }
    }

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
        => ValueTask.FromResult(SegmentSearcher.Search(SchemaOf(collectionId), Resolve(segmentIds), plan, readTimestamp));

    public ValueTask<ShardQueryResult> QueryAsync(long collectionId, IReadOnlyList<long> segmentIds, QueryPlan plan, ulong readTimestamp, CancellationToken cancellationToken)
        => ValueTask.FromResult(SegmentQuerier.Query(SchemaOf(collectionId), Resolve(segmentIds), plan, readTimestamp));

    // In a cluster a segment can be asked for while it moves between query nodes (one joined or left): the caller
    // retries "not ready" once the move is done.
    private CollectionSchema SchemaOf(long collectionId) => _schemas.TryGetValue(collectionId, out var schema)
        ? schema
        : throw new MilvusException(ErrorCodes.ServiceNotReady, $"collection {collectionId} is not loaded on this query node; retry shortly");

    private List<Segment> Resolve(IReadOnlyList<long> segmentIds)
    {
        var list = new List<Segment>(segmentIds.Count);
        foreach (long id in segmentIds)
        {
            if (!_segments.TryGetValue(id, out var seg))
                throw new MilvusException(ErrorCodes.ServiceNotReady, $"segment {id} is not loaded on this query node; retry shortly");
            list.Add(seg);
        }
        return list;
    }
}
