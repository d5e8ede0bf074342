using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Segments.Format;
using VectorAspire.Core.Vectors;
using PI = VectorAspire.Protos.Internal;

namespace VectorAspire.Cluster;

/// <summary>
/// Converts Core's contract types to the internal protos and back. Catalog records travel as CatalogJson, columns as
/// column-file bytes; vectors, scores and timestamps are copied as spans, never per row through LINQ.
/// </summary>
public static class InternalCodec
{
    public static ByteString Wrap(byte[] bytes) => UnsafeByteOperations.UnsafeWrap(bytes);

    // ---- columns and rows ----

    public static ByteString EncodeColumn(Column column) => Wrap(ColumnFile.Write(column));

    public static Column DecodeColumn(ByteString bytes) => ColumnFile.Read(bytes.Memory);

    public static PI.Rows EncodeRows(ColumnBlock rows)
    {
        var msg = new PI.Rows { RowCount = rows.RowCount };
        var columns = rows.Columns;
        for (int i = 0; i < columns.Length; i++)
            msg.Columns.Add(Wrap(ColumnFile.Write(columns[i], rows.Schema.Fields[i])));
        return msg;
    }

    public static ColumnBlock DecodeRows(PI.Rows rows, CollectionSchema schema)
    {
        if (rows.Columns.Count != schema.Fields.Count)
            throw new InvalidDataException($"rows carry {rows.Columns.Count} columns, the schema has {schema.Fields.Count}");
        var columns = new Column[rows.Columns.Count];
        for (int i = 0; i < columns.Length; i++)
            columns[i] = ColumnFile.Read(rows.Columns[i].Memory, schema.Fields[i]);
        return new ColumnBlock(schema, columns, rows.RowCount);
    }

    public static void AddTimestamps(RepeatedField<ulong> target, ReadOnlySpan<ulong> values)
    {
        // RepeatedField has no span AddRange; one capacity bump, then plain adds (no enumerator, no boxing).
        target.Capacity = target.Count + values.Length;
        foreach (ulong v in values)
            target.Add(v);
    }

    public static ulong[] ToArray(RepeatedField<ulong> values)
    {
        var result = new ulong[values.Count];
        values.CopyTo(result, 0);
        return result;
    }

    public static long[] ToArray(RepeatedField<long> values)
    {
        var result = new long[values.Count];
        values.CopyTo(result, 0);
        return result;
    }

    public static int[] ToArray(RepeatedField<int> values)
    {
        var result = new int[values.Count];
        values.CopyTo(result, 0);
        return result;
    }

    public static void AddAll(RepeatedField<long> target, IReadOnlyList<long> values)
    {
        target.Capacity = target.Count + values.Count;
        for (int i = 0; i < values.Count; i++)
            target.Add(values[i]);
    }

    public static void AddAll(RepeatedField<int> target, IReadOnlyList<int> values)
    {
        target.Capacity = target.Count + values.Count;
        for (int i = 0; i < values.Count; i++)
            target.Add(values[i]);
    }

    // ---- primary keys ----

    public static PI.PrimaryKeys EncodeKeys(IReadOnlyList<PrimaryKey> keys)
    {
        var msg = new PI.PrimaryKeys();
        if (keys.Count == 0)
            return msg;
        msg.IsString = keys[0].IsString;
        if (msg.IsString)
        {
            msg.Strs.Capacity = keys.Count;
            for (int i = 0; i < keys.Count; i++)
                msg.Strs.Add(keys[i].Str!);
        }
        else
        {
            msg.Ints.Capacity = keys.Count;
            for (int i = 0; i < keys.Count; i++)
                msg.Ints.Add(keys[i].Int);
        }
        return msg;
    }

    public static PrimaryKey[] DecodeKeys(PI.PrimaryKeys msg)
    {
        var keys = new PrimaryKey[msg.IsString ? msg.Strs.Count : msg.Ints.Count];
        if (msg.IsString)
        {
            for (int i = 0; i < keys.Length; i++)
                keys[i] = PrimaryKey.Of(msg.Strs[i]);
        }
        else
        {
            for (int i = 0; i < keys.Length; i++)
                keys[i] = PrimaryKey.Of(msg.Ints[i]);
        }
        return keys;
    }

    // ---- filters ----

    private static PI.Filter? EncodeFilter(string? expr, IReadOnlyDictionary<string, JsonElement>? parameters)
    {
        if (expr is null && parameters is null)
            return null;
        var msg = new PI.Filter { Expr = expr ?? "", HasParams = parameters is not null };
        if (parameters is not null)
        {
            foreach (var (name, value) in parameters)
                msg.Params[name] = value.GetRawText();
        }
        return msg;
    }

    private static (string? Expr, IReadOnlyDictionary<string, JsonElement>? Params) DecodeFilter(PI.Filter? msg)
    {
        if (msg is null)
            return (null, null);
        Dictionary<string, JsonElement>? parameters = null;
        if (msg.HasParams)
        {
            parameters = new Dictionary<string, JsonElement>(msg.Params.Count, StringComparer.Ordinal);
            foreach (var (name, json) in msg.Params)
            {
                using var doc = JsonDocument.Parse(json);
                parameters[name] = doc.RootElement.Clone();
            }
        }
        return (msg.Expr, parameters);
    }

    // ---- plans ----

    public static PI.SearchPlan Encode(SearchPlan plan)
    {
        var msg = new PI.SearchPlan
        {
            VectorFieldIndex = plan.VectorFieldIndex,
            Metric = (int)plan.Metric,
            Queries = ByteString.CopyFrom(MemoryMarshal.AsBytes(plan.Queries.AsSpan())),
            Nq = plan.Nq,
            Dim = plan.Dim,
            TopK = plan.TopK,
            Filter = EncodeFilter(plan.Filter, plan.FilterParams),
            Ef = plan.IndexParams.Ef,
            Nprobe = plan.IndexParams.Nprobe,
            RefineK = plan.IndexParams.RefineK,
            IgnoreGrowing = plan.IgnoreGrowing,
        };
        if (plan.Radius is { } radius)
            msg.Radius = radius;
        if (plan.RangeFilter is { } rangeFilter)
            msg.RangeFilter = rangeFilter;
        AddAll(msg.PartitionIds, plan.PartitionIds);
        return msg;
    }

    public static SearchPlan Decode(PI.SearchPlan msg)
    {
        var (expr, parameters) = DecodeFilter(msg.Filter);
        return new SearchPlan
        {
            PartitionIds = ToArray(msg.PartitionIds),
            VectorFieldIndex = msg.VectorFieldIndex,
            Metric = (MetricType)msg.Metric,
            Queries = MemoryMarshal.Cast<byte, float>(msg.Queries.Span).ToArray(),
            Nq = msg.Nq,
            Dim = msg.Dim,
            TopK = msg.TopK,
            Filter = expr,
            FilterParams = parameters,
            Radius = msg.HasRadius ? msg.Radius : null,
            RangeFilter = msg.HasRangeFilter ? msg.RangeFilter : null,
            IndexParams = new IndexSearchParams(msg.Ef, msg.Nprobe, msg.RefineK),
            IgnoreGrowing = msg.IgnoreGrowing,
        };
    }

    public static PI.QueryPlan Encode(QueryPlan plan)
    {
        var msg = new PI.QueryPlan
        {
            Filter = EncodeFilter(plan.Filter, plan.FilterParams),
            Keys = plan.Keys is null ? null : EncodeKeys(plan.Keys),
            Limit = plan.Limit,
            CountOnly = plan.CountOnly,
        };
        AddAll(msg.PartitionIds, plan.PartitionIds);
        AddAll(msg.OutputFieldIndexes, plan.OutputFieldIndexes);
        return msg;
    }

    public static QueryPlan Decode(PI.QueryPlan msg)
    {
        var (expr, parameters) = DecodeFilter(msg.Filter);
        return new QueryPlan
        {
            PartitionIds = ToArray(msg.PartitionIds),
            Filter = expr,
            FilterParams = parameters,
            Keys = msg.Keys is null ? null : DecodeKeys(msg.Keys),
            OutputFieldIndexes = ToArray(msg.OutputFieldIndexes),
            Limit = msg.Limit,
            CountOnly = msg.CountOnly,
        };
    }

    // ---- results ----

    public static PI.SearchResult Encode(ShardSearchResult result)
    {
        var msg = new PI.SearchResult();
        int total = 0;
        foreach (var hits in result.Hits)
            total += hits.Count;
        bool isString = false;
        foreach (var hits in result.Hits)
        {
            if (hits.Count > 0)
            {
                isString = hits[0].Pk.IsString;
                break;
            }
        }
        var pks = new PI.PrimaryKeys { IsString = isString };
        msg.Pks = pks;
        msg.Counts.Capacity = result.Hits.Length;
        msg.Scores.Capacity = total;
        msg.Timestamps.Capacity = total;
        if (isString)
            pks.Strs.Capacity = total;
        else
            pks.Ints.Capacity = total;
        foreach (var hits in result.Hits)
        {
            msg.Counts.Add(hits.Count);
            for (int i = 0; i < hits.Count; i++)
            {
                var hit = hits[i];
                if (isString)
                    pks.Strs.Add(hit.Pk.Str!);
                else
                    pks.Ints.Add(hit.Pk.Int);
                msg.Scores.Add(hit.Score);
                msg.Timestamps.Add(hit.Timestamp);
            }
        }
        return msg;
    }

    public static ShardSearchResult Decode(PI.SearchResult msg)
    {
        var hits = new IReadOnlyList<SearchHit>[msg.Counts.Count];
        var pks = msg.Pks ?? new PI.PrimaryKeys();
        int pos = 0;
        for (int q = 0; q < hits.Length; q++)
        {
            int count = msg.Counts[q];
            var list = new SearchHit[count];
            for (int i = 0; i < count; i++, pos++)
            {
                var pk = pks.IsString ? PrimaryKey.Of(pks.Strs[pos]) : PrimaryKey.Of(pks.Ints[pos]);
                list[i] = new SearchHit(pk, msg.Scores[pos], msg.Timestamps[pos]);
            }
            hits[q] = list;
        }
        return new ShardSearchResult(hits);
    }

    public static PI.QueryResult Encode(ShardQueryResult result)
    {
        var msg = new PI.QueryResult { Keys = EncodeKeys(result.Keys), Count = result.Count };
        AddAll(msg.FieldIndexes, result.FieldIndexes);
        for (int i = 0; i < result.Columns.Count; i++)
            msg.Columns.Add(EncodeColumn(result.Columns[i]));
        msg.Timestamps.Capacity = result.Timestamps.Count;
        for (int i = 0; i < result.Timestamps.Count; i++)
            msg.Timestamps.Add(result.Timestamps[i]);
        return msg;
    }

    public static ShardQueryResult Decode(PI.QueryResult msg)
    {
        var columns = new Column[msg.Columns.Count];
        for (int i = 0; i < columns.Length; i++)
            columns[i] = DecodeColumn(msg.Columns[i]);
        return new ShardQueryResult(ToArray(msg.FieldIndexes), columns, DecodeKeys(msg.Keys ?? new PI.PrimaryKeys()), ToArray(msg.Timestamps), msg.Count);
    }
}
