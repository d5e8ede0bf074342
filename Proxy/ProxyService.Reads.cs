using System.Text.Json;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Proxy;

public sealed record SearchArgs
{
    public string? AnnsField { get; init; }
    public required IReadOnlyList<float[]> Vectors { get; init; }
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
    public string? Filter { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? FilterParams { get; init; }
    public IReadOnlyList<string>? OutputFields { get; init; }
    public string? MetricType { get; init; }
    public float? Radius { get; init; }
    public float? RangeFilter { get; init; }
    /// <summary>HNSW search breadth (0 = index default); must be at least offset + limit.</summary>
    public int Ef { get; init; }
    /// <summary>IVF lists to probe (0 = index default).</summary>
    public int Nprobe { get; init; }
    /// <summary>Milvus's refine_k: candidates re-scored with full-precision vectors = limit × this (HNSW_SQ with
    /// refine, IVF_PQ); null = the index default.</summary>
    public float? RefineK { get; init; }
    /// <summary>Search only sealed segments (Milvus's ignore_growing).</summary>
    public bool IgnoreGrowing { get; init; }
    public IReadOnlyList<string>? PartitionNames { get; init; }
    public ConsistencyLevel? Consistency { get; init; }
    /// <summary>The client's guarantee timestamp (gRPC), used by Session and Customized consistency; 0 = none.</summary>
    public ulong GuaranteeTimestamp { get; init; }
}

public sealed record QueryArgs
{
    public string? Filter { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? FilterParams { get; init; }
    public IReadOnlyList<PrimaryKey>? Ids { get; init; }
    public IReadOnlyList<string>? OutputFields { get; init; }
    /// <summary>-1 = no limit.</summary>
    public int Limit { get; init; } = -1;
    public int Offset { get; init; }
    public IReadOnlyList<string>? PartitionNames { get; init; }
    public ConsistencyLevel? Consistency { get; init; }
    /// <summary>The client's guarantee timestamp (gRPC), used by Session and Customized consistency; 0 = none.</summary>
    public ulong GuaranteeTimestamp { get; init; }
}

/// <summary>Output fields resolved against the schema: field indexes, plus dynamic-field keys to pick from $meta.</summary>
public sealed record OutputSelection(IReadOnlyList<int> FieldIndexes, IReadOnlyList<string> DynamicKeys, bool AllDynamic, bool CountOnly);

/// <summary>Rows of a query (after offset) with the selection that produced them.</summary>
public sealed record QueryOutcome(ShardQueryResult Result, int Skip, OutputSelection Selection);

/// <summary>Hits per query (after offset) and the output rows for them, keyed by primary key.</summary>
public sealed record SearchOutcome(IReadOnlyList<SearchHit>[] Hits, QueryOutcome? Outputs, OutputSelection Selection, string PkName);

public sealed partial class ProxyService
{
    public async ValueTask<SearchOutcome> SearchAsync(CollectionInfo info, SearchArgs args, CancellationToken cancellationToken)
    {
        await RequireDatabaseAccessAsync(info.DbName, write: false, cancellationToken);
        var schema = info.Schema;
        var partitions = ResolveReadPartitions(info, args.PartitionNames);
        FieldSchema field;
        if (!string.IsNullOrEmpty(args.AnnsField))
        {
            field = schema.FindField(args.AnnsField) ?? throw MilvusErrors.FieldNotFound(args.AnnsField, info.Name);
            if (!field.DataType.IsVector())
                throw MilvusErrors.Invalid($"annsField '{args.AnnsField}' is not a vector field");
        }
        else
        {
            var vectors = schema.VectorFields.ToList();
            if (vectors.Count != 1)
                throw MilvusErrors.Invalid($"collection '{info.Name}' has {vectors.Count} vector fields: set annsField to choose one");
            field = vectors[0];
        }
        var index = info.Indexes.FirstOrDefault(i => i.FieldId == field.FieldId)
            ?? throw new MilvusException(ErrorCodes.IndexNotFound, $"index not found[collection={info.Name}][field={field.Name}]");
        var metric = MetricTypes.Parse(index.MetricType);
        if (!string.IsNullOrEmpty(args.MetricType) && MetricTypes.Parse(args.MetricType) != metric)
            throw MilvusErrors.Invalid($"metric type not match: the index on '{field.Name}' uses {index.MetricType}, the search asked for {args.MetricType.ToUpperInvariant()}");
        int nq = args.Vectors.Count;
        if (nq == 0)
            throw MilvusErrors.Invalid("search needs at least one query vector in 'data'");
        if (nq > _options.MaxNq)
            throw new MilvusException(ErrorCodes.ParameterTooLarge, $"nq (number of query vectors) must be at most {_options.MaxNq}, got {nq}");
        if (args.Limit < 1 || args.Limit > _options.MaxTopK)
            throw MilvusErrors.Invalid($"limit must be between 1 and {_options.MaxTopK}, got {args.Limit}");
        if (args.Offset < 0 || args.Offset + args.Limit > _options.MaxTopK)
            throw MilvusErrors.Invalid($"offset must be non-negative and offset + limit at most {_options.MaxTopK}, got offset {args.Offset} and limit {args.Limit}");
        int dim = field.Dim;
        var queries = new float[nq * dim];
        for (int q = 0; q < nq; q++)
        {
            var v = args.Vectors[q];
            if (v.Length != dim)
                throw MilvusErrors.Invalid($"the dimension of query vector {q} is {v.Length}, but field '{field.Name}' has dim {dim}");
            foreach (var x in v)
            {
                if (!float.IsFinite(x))
                    throw MilvusErrors.Invalid($"query vector {q} contains a NaN or infinite value");
            }
            // FlatSearch normalises COSINE queries itself.
            v.CopyTo(queries, q * dim);
        }
        ValidateRange(metric, args.Radius, args.RangeFilter);
        if (args.Ef > 0 && args.Ef < args.Offset + args.Limit && index.IndexType is "HNSW" or "AUTOINDEX" or "HNSW_SQ")
            throw MilvusErrors.Invalid($"ef ({args.Ef}) must be at least offset + limit ({args.Offset + args.Limit}) for {index.IndexType}");
        ValidateRefineK(index, args.RefineK);
        if (args.RefineK is { } rk && (args.Offset + args.Limit) * (double)rk > MaxRefineCandidates)
            throw MilvusErrors.Invalid($"(offset + limit) × refine_k must be at most {MaxRefineCandidates}, got {args.Offset + args.Limit} × {rk.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        ValidateFilter(info, args.Filter, args.FilterParams);
        var selection = ResolveOutputs(info, args.OutputFields, allowCount: false);
        int topK = args.Offset + args.Limit;
        var plan = new SearchPlan
        {
            PartitionIds = partitions,
            VectorFieldIndex = FieldIndex(schema, field),
            Metric = metric,
            Queries = queries,
            Nq = nq,
            Dim = dim,
            TopK = topK,
            Filter = args.Filter,
            FilterParams = args.FilterParams,
            Radius = args.Radius,
            RangeFilter = args.RangeFilter,
            IndexParams = new Core.Indexes.IndexSearchParams(args.Ef, args.Nprobe, args.RefineK ?? 0),
            IgnoreGrowing = args.IgnoreGrowing,
        };
        ulong guarantee = await GuaranteeTimestampAsync(info, args.Consistency, cancellationToken, args.GuaranteeTimestamp);
        var tasks = new List<Task<ShardSearchResult>>();
        for (int s = 0; s < info.ShardsNum; s++)
            tasks.Add(streaming.SearchAsync(new ShardSearchRequest { CollectionId = info.CollectionId, Shard = s, Plan = plan, GuaranteeTimestamp = guarantee }, cancellationToken).AsTask());
        var merged = SegmentSearcher.Merge(await Task.WhenAll(tasks), nq, topK, metric);
        var hits = new IReadOnlyList<SearchHit>[nq];
        var keys = new HashSet<PrimaryKey>();
        for (int q = 0; q < nq; q++)
        {
            hits[q] = merged.Hits[q].Skip(args.Offset).ToList();
            foreach (var h in hits[q])
                keys.Add(h.Pk);
        }
        QueryOutcome? outputs = null;
        bool needOutputs = selection.FieldIndexes.Count > 0 || selection.AllDynamic || selection.DynamicKeys.Count > 0;
        if (needOutputs && keys.Count > 0)
        {
            outputs = await QueryAsync(info, new QueryArgs
            {
                Ids = [.. keys],
                OutputFields = args.OutputFields,
                PartitionNames = args.PartitionNames,
                Consistency = ConsistencyLevel.Eventually,
            }, cancellationToken);
        }
        return new SearchOutcome(hits, outputs, selection, schema.PrimaryKey.Name);
    }

    /// <summary>Largest refine_k accepted; the candidate count is capped by the segment's rows anyway.</summary>
    private const float MaxRefineK = 1000;

    /// <summary>Candidates re-scored per query at most (the same bound as ef): keeps one search from walking a whole segment.</summary>
    private const int MaxRefineCandidates = 32768;

    /// <summary>refine_k only means something for indexes that re-score candidates with float vectors.</summary>
    private static void ValidateRefineK(IndexInfo index, float? refineK)
    {
        if (refineK is not { } r)
            return;
        if (!float.IsFinite(r) || r < 1 || r > MaxRefineK)
            throw MilvusErrors.Invalid($"search parameter refine_k={r.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be a number in [1, {MaxRefineK}]");
        bool refines = index.IndexType == "IVF_PQ"
            || (index.IndexType == "HNSW_SQ" && index.Params.TryGetValue("refine", out var on) && on == "true");
        if (!refines)
            throw MilvusErrors.Invalid($"search parameter refine_k is not supported by index type {index.IndexType} on field '{index.FieldName}' (it applies to HNSW_SQ built with refine=true and to IVF_PQ)");
    }

    private static void ValidateRange(MetricType metric, float? radius, float? rangeFilter)
    {
        if (radius is null)
        {
            if (rangeFilter is not null)
                throw MilvusErrors.Invalid("range_filter needs radius: set both for a range search");
            return;
        }
        if (rangeFilter is not { } rf)
            return;
        bool ok = metric == MetricType.L2 ? rf < radius.Value : rf > radius.Value;
        if (!ok)
            throw MilvusErrors.Invalid(metric == MetricType.L2
                ? $"range_filter ({rf}) must be less than radius ({radius}) for metric L2"
                : $"range_filter ({rf}) must be greater than radius ({radius}) for metric {MetricTypes.Name(metric)}");
    }

    public async ValueTask<QueryOutcome> QueryAsync(CollectionInfo info, QueryArgs args, CancellationToken cancellationToken)
    {
        await RequireDatabaseAccessAsync(info.DbName, write: false, cancellationToken);
        var partitions = ResolveReadPartitions(info, args.PartitionNames);
        var selection = ResolveOutputs(info, args.OutputFields, allowCount: true);
        bool hasFilter = !string.IsNullOrWhiteSpace(args.Filter);
        if (selection.CountOnly && (args.Limit > 0 || args.Offset > 0))
            throw MilvusErrors.Invalid("count(*) cannot be combined with limit or offset");
        if (!selection.CountOnly && !hasFilter && args.Ids is null && args.Limit < 0)
            throw MilvusErrors.Invalid("empty filter is only allowed together with a limit: set filter or limit");
        if (args.Limit >= 0 && (args.Limit > _options.MaxTopK || args.Offset < 0 || args.Offset + args.Limit > _options.MaxTopK))
            throw MilvusErrors.Invalid($"limit and offset must be non-negative and offset + limit at most {_options.MaxTopK}, got offset {args.Offset} and limit {args.Limit}");
        ValidateFilter(info, args.Filter, args.FilterParams);
        var plan = new QueryPlan
        {
            PartitionIds = partitions,
            Filter = args.Filter,
            FilterParams = args.FilterParams,
            Keys = args.Ids,
            OutputFieldIndexes = selection.FieldIndexes,
            Limit = args.Limit < 0 ? -1 : args.Offset + args.Limit,
            CountOnly = selection.CountOnly,
        };
        ulong guarantee = await GuaranteeTimestampAsync(info, args.Consistency, cancellationToken, args.GuaranteeTimestamp);
        var tasks = new List<Task<ShardQueryResult>>();
        for (int s = 0; s < info.ShardsNum; s++)
            tasks.Add(streaming.QueryAsync(new ShardQueryRequest { CollectionId = info.CollectionId, Shard = s, Plan = plan, GuaranteeTimestamp = guarantee }, cancellationToken).AsTask());
        var merged = SegmentQuerier.Merge(info.Schema, plan, await Task.WhenAll(tasks));
        return new QueryOutcome(merged, Math.Min(args.Offset, merged.Keys.Count), selection);
    }

    /// <summary>Resolves output field names: "*" = every field, "$meta" = every dynamic key, other unknown names are dynamic keys.</summary>
    public static OutputSelection ResolveOutputs(CollectionInfo info, IReadOnlyList<string>? names, bool allowCount)
    {
        var schema = info.Schema;
        var indexes = new List<int>();
        var dynamicKeys = new List<string>();
        bool allDynamic = false, count = false;
        int dynamicIndex = -1;
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].IsDynamic)
                dynamicIndex = i;
        }
        foreach (var raw in names ?? [])
        {
            string name = raw.Trim();
            if (name.Length == 0)
                continue;
            if (name == "*")
            {
                for (int i = 0; i < schema.Fields.Count; i++)
                {
                    if (!indexes.Contains(i))
                        indexes.Add(i);
                }
                allDynamic |= dynamicIndex >= 0;
                continue;
            }
            if (string.Equals(name, "count(*)", StringComparison.OrdinalIgnoreCase))
            {
                if (!allowCount)
                    throw MilvusErrors.Invalid("count(*) is only allowed in query output fields");
                count = true;
                continue;
            }
            var field = schema.FindField(name);
            if (field is not null)
            {
                int idx = FieldIndex(schema, field);
                if (!indexes.Contains(idx))
                    indexes.Add(idx);
                if (field.IsDynamic)
                    allDynamic = true;
                continue;
            }
            if (dynamicIndex < 0)
                throw MilvusErrors.FieldNotFound(name, info.Name);
            if (!indexes.Contains(dynamicIndex))
                indexes.Add(dynamicIndex);
            dynamicKeys.Add(name);
        }
        if (count && (indexes.Count > 0 || dynamicKeys.Count > 0))
            throw MilvusErrors.Invalid("count(*) must be the only output field");
        return new OutputSelection(indexes, dynamicKeys, allDynamic, count);
    }
}
