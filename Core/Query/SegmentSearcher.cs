using System.Buffers;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Expressions;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Query;

/// <summary>
/// Exact (FLAT) vector search over a set of segments at a read timestamp: per block, visibility (MVCC + deletes)
/// ∧ filter → a bitset, then a scan that keeps the best TopK per query. Used by QueryNodes (sealed) and delegators
/// (growing).
/// </summary>
public static class SegmentSearcher
{
    public static ShardSearchResult Search(CollectionSchema schema, IReadOnlyList<Segment> segments, SearchPlan plan, ulong readTs)
    {
        var collectors = new TopKCollector[plan.Nq];
        for (int q = 0; q < plan.Nq; q++)
            collectors[q] = new TopKCollector(plan.TopK, plan.Metric);
        BoundFilter? filter = null;
        if (!string.IsNullOrWhiteSpace(plan.Filter))
            filter = FilterCompiler.Compile(plan.Filter, schema, plan.FilterParams);

        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            if (!Contains(plan.PartitionIds, seg.PartitionId))
                continue;
            // A sealed segment with a built index for this field and metric is searched through it; the rest exactly.
            IVectorIndex? index = seg is SealedSegment sealedSegment && sealedSegment.TryGetIndex(plan.VectorFieldIndex, out var loaded)
                && loaded.Index.Metric == plan.Metric ? loaded.Index : null;
            foreach (var block in seg.Blocks)
                SearchBlock(block, s, plan, readTs, filter, collectors, index);
        }

        var hits = new IReadOnlyList<SearchHit>[plan.Nq];
        var ids = new long[plan.TopK];
        var scores = new float[plan.TopK];
        for (int q = 0; q < plan.Nq; q++)
        {
            int n = collectors[q].CopySorted(ids, scores);
            var list = new List<SearchHit>(n);
            for (int i = 0; i < n; i++)
            {
                var seg = segments[(int)(ids[i] >> 32)];
                int row = (int)(ids[i] & 0xFFFFFFFF);
                var (block, local) = LocateRow(seg, row);
                list.Add(new SearchHit(PrimaryKey.FromColumn(block.Columns.Columns[seg.PkFieldIndex], local), scores[i], block.InsertTs[local]));
            }
            hits[q] = list;
        }
        return new ShardSearchResult(hits);
    }

    private static int CountBits(ReadOnlySpan<ulong> words)
    {
        int n = 0;
        foreach (var w in words)
            n += System.Numerics.BitOperations.PopCount(w);
        return n;
    }

    private static void SearchBlock(SegmentBlock block, int segmentIndex, SearchPlan plan, ulong readTs, BoundFilter? filter, TopKCollector[] collectors, IVectorIndex? index)
    {
        int n = block.RowCount;
        if (n == 0)
            return;
        int words = (n + 63) >> 6;
        var bits = ArrayPool<ulong>.Shared.Rent(words);
        ulong[]? filterBits = null;
        try
        {
            block.Visibility(readTs, bits);
            if (filter is not null)
            {
                filterBits = ArrayPool<ulong>.Shared.Rent(words);
                filterBits.AsSpan(0, words).Clear();
                filter.Evaluate(block.Columns, filterBits.AsSpan(0, words));
                for (int i = 0; i < words; i++)
                    bits[i] &= filterBits[i];
            }
            var vectors = (VectorColumn)block.Columns.Columns[plan.VectorFieldIndex];
            if (vectors.Validity is { } valid)
            {
                for (int i = 0; i < words; i++)
                    bits[i] &= valid[i];
            }
            long idBase = ((long)segmentIndex << 32) | (uint)block.StartRow;
            if (index is not null)
            {
                // Every row visible and no filter: let the index take its unfiltered path.
                var eligible = CountBits(bits.AsSpan(0, words)) == n ? ReadOnlySpan<ulong>.Empty : bits.AsSpan(0, words);
                ScoreRange? range = plan.Radius is { } r ? ScoreRange.Create(plan.Metric, r, plan.RangeFilter) : null;
                for (int q = 0; q < plan.Nq; q++)
                    index.Search(plan.Queries.AsSpan(q * plan.Dim, plan.Dim), collectors[q], eligible, plan.IndexParams, range, idBase);
                return;
            }
            if (vectors.IsIndexBacked)
            {
                SearchIndexBackedRows(vectors, n, plan, collectors, idBase, bits.AsSpan(0, words));
                return;
            }
            SearchRows(vectors.RawValues.AsSpan(0, n * plan.Dim), n, plan, collectors, idBase, bits.AsSpan(0, words));
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(bits);
            if (filterBits is not null)
                ArrayPool<ulong>.Shared.Return(filterBits);
        }
    }

    private static void SearchRows(ReadOnlySpan<float> rows, int n, SearchPlan plan, TopKCollector[] collectors, long idBase, ReadOnlySpan<ulong> bits)
    {
        for (int q = 0; q < plan.Nq; q++)
        {
            var query = plan.Queries.AsSpan(q * plan.Dim, plan.Dim);
            if (plan.Radius is { } radius)
                FlatSearch.SearchRange(rows, plan.Dim, n, query, plan.Metric, ScoreRange.Create(plan.Metric, radius, plan.RangeFilter), collectors[q], idBase, bits);
            else
                FlatSearch.Search(rows, plan.Dim, n, query, plan.Metric, collectors[q], idBase, bits);
        }
    }

    /// <summary>
    /// Exact search of a column whose vectors live in its index (an index with another metric than the search's, or
    /// one loaded while this search ran): rows are copied out a chunk at a time into a pooled buffer. Chunks are whole
    /// bitset words, so each chunk's filter is a slice of the block's.
    /// </summary>
    private static void SearchIndexBackedRows(VectorColumn vectors, int n, SearchPlan plan, TopKCollector[] collectors, long idBase, ReadOnlySpan<ulong> bits)
    {
        const int ChunkRows = 1024;
        int dim = plan.Dim;
        var buffer = ArrayPool<float>.Shared.Rent(Math.Min(n, ChunkRows) * dim);
        try
        {
            for (int start = 0; start < n; start += ChunkRows)
            {
                int m = Math.Min(ChunkRows, n - start);
                var chunkBits = bits.Slice(start >> 6, (m + 63) >> 6);
                if (CountBits(chunkBits) == 0)
                    continue;
                var rows = buffer.AsSpan(0, m * dim);
                vectors.CopyRows(start, rows);
                SearchRows(rows, m, plan, collectors, idBase + start, chunkBits);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Merges per-shard or per-node results: best TopK per query, one hit per primary key.</summary>
    public static ShardSearchResult Merge(IReadOnlyList<ShardSearchResult> parts, int nq, int topK, MetricType metric)
    {
        if (parts.Count == 1)
            return parts[0];
        var merged = new IReadOnlyList<SearchHit>[nq];
        var best = new Dictionary<PrimaryKey, SearchHit>();
        for (int q = 0; q < nq; q++)
        {
            best.Clear();
            foreach (var part in parts)
            {
                foreach (var hit in part.Hits[q])
                {
                    if (!best.TryGetValue(hit.Pk, out var existing) || IsBetter(hit, existing, metric))
                        best[hit.Pk] = hit;
                }
            }
            var list = new List<SearchHit>(best.Values);
            list.Sort((a, b) => Compare(a, b, metric));
            if (list.Count > topK)
                list.RemoveRange(topK, list.Count - topK);
            merged[q] = list;
        }
        return new ShardSearchResult(merged);
    }

    private static bool IsBetter(SearchHit a, SearchHit b, MetricType metric)
        => Compare(a, b, metric) < 0;

    private static int Compare(SearchHit a, SearchHit b, MetricType metric)
    {
        int c = metric == MetricType.L2 ? a.Score.CompareTo(b.Score) : b.Score.CompareTo(a.Score);
        if (c != 0)
            return c;
        c = b.Timestamp.CompareTo(a.Timestamp);
        if (c != 0)
            return c;
        return ComparePk(a.Pk, b.Pk);
    }

    public static int ComparePk(PrimaryKey a, PrimaryKey b)
        => a.IsString ? string.CompareOrdinal(a.Str, b.Str) : a.Int.CompareTo(b.Int);

    internal static bool Contains(IReadOnlyList<long> ids, long id)
    {
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id)
                return true;
        }
        return false;
    }

    internal static (SegmentBlock Block, int Local) LocateRow(Segment segment, int row)
    {
        var blocks = segment.Blocks;
        for (int i = blocks.Count - 1; i >= 0; i--)
        {
            if (row >= blocks[i].StartRow)
                return (blocks[i], row - blocks[i].StartRow);
        }
        throw new ArgumentOutOfRangeException(nameof(row));
    }
}
