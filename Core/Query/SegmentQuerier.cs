using System.Buffers;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Expressions;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;

namespace VectorAspire.Core.Query;

/// <summary>
/// Scalar query over a set of segments at a read timestamp: rows visible at that time that pass the filter (or
/// carry one of the requested keys), one row per primary key (the newest), sorted by key.
/// </summary>
public static class SegmentQuerier
{
    private readonly record struct Candidate(int Segment, SegmentBlock Block, int Row, PrimaryKey Pk, ulong Ts);

    public static ShardQueryResult Query(CollectionSchema schema, IReadOnlyList<Segment> segments, QueryPlan plan, ulong readTs)
    {
        BoundFilter? filter = null;
        if (!string.IsNullOrWhiteSpace(plan.Filter))
            filter = FilterCompiler.Compile(plan.Filter, schema, plan.FilterParams);

        var newest = new Dictionary<PrimaryKey, Candidate>();
        if (plan.Keys is not null)
            CollectByKeys(segments, plan, readTs, filter, newest);
        else
            CollectByScan(segments, plan, readTs, filter, newest);

        if (plan.CountOnly)
            return new ShardQueryResult([], [], [], [], newest.Count);

        var rows = new List<Candidate>(newest.Values);
        rows.Sort((a, b) => SegmentSearcher.ComparePk(a.Pk, b.Pk));
        if (plan.Limit >= 0 && rows.Count > plan.Limit)
            rows.RemoveRange(plan.Limit, rows.Count - plan.Limit);
        return Materialize(schema, plan, rows);
    }

    private static void CollectByScan(IReadOnlyList<Segment> segments, QueryPlan plan, ulong readTs, BoundFilter? filter, Dictionary<PrimaryKey, Candidate> newest)
    {
        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            if (!SegmentSearcher.Contains(plan.PartitionIds, seg.PartitionId))
                continue;
            foreach (var block in seg.Blocks)
            {
                int n = block.RowCount;
                if (n == 0)
                    continue;
                int words = (n + 63) >> 6;
                var bits = ArrayPool<ulong>.Shared.Rent(words);
                var fbits = filter is null ? null : ArrayPool<ulong>.Shared.Rent(words);
                try
                {
                    block.Visibility(readTs, bits);
                    if (fbits is not null)
                    {
                        fbits.AsSpan(0, words).Clear();
                        filter!.Evaluate(block.Columns, fbits.AsSpan(0, words));
                        for (int i = 0; i < words; i++)
                            bits[i] &= fbits[i];
                    }
                    var pkCol = block.Columns.Columns[seg.PkFieldIndex];
                    for (int w = 0; w < words; w++)
                    {
                        ulong word = bits[w];
                        while (word != 0)
                        {
                            int row = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                            word &= word - 1;
                            Offer(newest, new Candidate(s, block, row, PrimaryKey.FromColumn(pkCol, row), block.InsertTs[row]));
                        }
                    }
                }
                finally
                {
                    ArrayPool<ulong>.Shared.Return(bits);
                    if (fbits is not null)
                        ArrayPool<ulong>.Shared.Return(fbits);
                }
            }
        }
    }

    private static void CollectByKeys(IReadOnlyList<Segment> segments, QueryPlan plan, ulong readTs, BoundFilter? filter, Dictionary<PrimaryKey, Candidate> newest)
    {
        var scratch = new List<int>();
        Dictionary<SegmentBlock, ulong[]>? filterCache = filter is null ? null : [];
        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            if (!SegmentSearcher.Contains(plan.PartitionIds, seg.PartitionId))
                continue;
            foreach (var key in plan.Keys!)
            {
                if (!seg.TryFindVisible(key, readTs, scratch, out var block, out int row, out ulong ts))
                    continue;
                if (filterCache is not null)
                {
                    if (!filterCache.TryGetValue(block, out var fb))
                    {
                        fb = new ulong[(block.RowCount + 63) >> 6];
                        filter!.Evaluate(block.Columns, fb);
                        filterCache[block] = fb;
                    }
                    if ((fb[row >> 6] & (1UL << row)) == 0)
                        continue;
                }
                Offer(newest, new Candidate(s, block, row, key, ts));
            }
        }
    }

    private static void Offer(Dictionary<PrimaryKey, Candidate> newest, Candidate c)
    {
        if (!newest.TryGetValue(c.Pk, out var existing) || existing.Ts < c.Ts)
            newest[c.Pk] = c;
    }

    /// <summary>Field indexes a query result carries: the primary key, then the requested outputs.</summary>
    public static List<int> ResultFieldIndexes(CollectionSchema schema, QueryPlan plan)
    {
        int pk = 0;
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].IsPrimaryKey)
                pk = i;
        }
        var fieldIndexes = new List<int> { pk };
        foreach (int f in plan.OutputFieldIndexes)
        {
            if (!fieldIndexes.Contains(f))
                fieldIndexes.Add(f);
        }
        return fieldIndexes;
    }

    private static ShardQueryResult Materialize(CollectionSchema schema, QueryPlan plan, List<Candidate> rows)
    {
        var fieldIndexes = ResultFieldIndexes(schema, plan);
        var columns = new Column[fieldIndexes.Count];
        for (int c = 0; c < columns.Length; c++)
            columns[c] = ColumnFactory.Create(schema.Fields[fieldIndexes[c]], rows.Count);
        var keys = new PrimaryKey[rows.Count];
        var ts = new ulong[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            var cand = rows[r];
            keys[r] = cand.Pk;
            ts[r] = cand.Ts;
            for (int c = 0; c < columns.Length; c++)
                ColumnCopy.AppendRow(columns[c], cand.Block.Columns.Columns[fieldIndexes[c]], cand.Row);
        }
        return new ShardQueryResult(fieldIndexes, columns, keys, ts, rows.Count);
    }

    /// <summary>Merges shard/node results: newest row per key, sorted by key, cut to the plan's limit. Counts add up.</summary>
    public static ShardQueryResult Merge(CollectionSchema schema, QueryPlan plan, IReadOnlyList<ShardQueryResult> parts)
    {
        int limit = plan.Limit;
        var fieldIndexes = ResultFieldIndexes(schema, plan);
        if (plan.CountOnly)
        {
            long total = 0;
            foreach (var p in parts)
                total += p.Count;
            return new ShardQueryResult([], [], [], [], total);
        }
        var newest = new Dictionary<PrimaryKey, (ShardQueryResult Part, int Row)>();
        foreach (var p in parts)
        {
            for (int r = 0; r < p.Keys.Count; r++)
            {
                if (!newest.TryGetValue(p.Keys[r], out var e) || e.Part.Timestamps[e.Row] < p.Timestamps[r])
                    newest[p.Keys[r]] = (p, r);
            }
        }
        var order = new List<(ShardQueryResult Part, int Row)>(newest.Values);
        order.Sort((a, b) => SegmentSearcher.ComparePk(a.Part.Keys[a.Row], b.Part.Keys[b.Row]));
        if (limit >= 0 && order.Count > limit)
            order.RemoveRange(limit, order.Count - limit);
        var columns = new Column[fieldIndexes.Count];
        for (int c = 0; c < columns.Length; c++)
            columns[c] = ColumnFactory.Create(schema.Fields[fieldIndexes[c]], order.Count);
        var keys = new PrimaryKey[order.Count];
        var ts = new ulong[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            var (part, row) = order[i];
            keys[i] = part.Keys[row];
            ts[i] = part.Timestamps[row];
            for (int c = 0; c < columns.Length; c++)
            {
                int src = IndexOf(part.FieldIndexes, fieldIndexes[c]);
                ColumnCopy.AppendRow(columns[c], part.Columns[src], row);
            }
        }
        return new ShardQueryResult(fieldIndexes, columns, keys, ts, order.Count);
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
                return i;
        }
        throw new InvalidOperationException($"field index {value} missing from a partial result");
    }
}
