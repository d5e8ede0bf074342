using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;
using PS = VectorAspire.Protos.Schema;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private void RegisterSearch(IGrpcMethodRegistry r)
        => Map(r, "Search", SearchRequest.Parser, SearchAsync, (m, s) => m.Status = s);

    private async ValueTask<SearchResults> SearchAsync(SearchRequest req, GrpcCallContext ctx)
    {
        var ct = ctx.CancellationToken;
        var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ct);
        if (req.SubReqs.Count > 0)
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, "hybrid search (sub_reqs) is not supported yet");
        if (req.SearchInputCase == SearchRequest.SearchInputOneofCase.Ids)
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, "search by primary keys is not supported yet: send query vectors");
        if (req.FunctionScore is not null || req.FunctionChains.Count > 0)
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, "search rerank functions are not supported yet");
        var p = ParseSearchParams(req);
        var vectors = ParsePlaceholders(req.PlaceholderGroup);
        var outputs = req.OutputFields.ToList();
        var outcome = await _proxy.SearchAsync(info, new SearchArgs
        {
            AnnsField = p.AnnsField,
            Vectors = vectors,
            Limit = p.TopK ?? throw MilvusErrors.Missing("topk"),
            Offset = p.Offset,
            Filter = string.IsNullOrWhiteSpace(req.Dsl) ? null : req.Dsl,
            FilterParams = TemplateValues(req.ExprTemplateValues),
            OutputFields = outputs,
            MetricType = string.IsNullOrEmpty(p.Metric) ? null : p.Metric,
            Radius = p.Radius,
            RangeFilter = p.RangeFilter,
            Ef = p.Ef,
            Nprobe = p.Nprobe,
            RefineK = p.RefineK,
            IgnoreGrowing = p.IgnoreGrowing,
            PartitionNames = req.PartitionNames.Count > 0 ? [.. req.PartitionNames] : null,
            Consistency = req.UseDefaultConsistency ? null : (ConsistencyLevel)(int)req.ConsistencyLevel,
            GuaranteeTimestamp = req.GuaranteeTimestamp,
        }, ct);
        return BuildResults(info, outcome, p, outputs);
    }

    private static SearchResults BuildResults(CollectionInfo info, SearchOutcome outcome, SearchParams p, IReadOnlyList<string> requested)
    {
        var schema = info.Schema;
        var pk = schema.PrimaryKey;
        var data = new PS.SearchResultData
        {
            NumQueries = outcome.Hits.Length,
            TopK = p.TopK ?? 0,
            PrimaryFieldName = pk.Name,
        };
        var keys = new List<PrimaryKey>();
        foreach (var hits in outcome.Hits)
        {
            data.Topks.Add(hits.Count);
            foreach (var h in hits)
            {
                keys.Add(h.Pk);
                data.Scores.Add(p.RoundDecimal >= 0 ? (float)Math.Round(h.Score, p.RoundDecimal, MidpointRounding.AwayFromZero) : h.Score);
            }
        }
        data.Ids = FieldDataConverter.ToIds(keys, pk.DataType == DataType.VarChar);
        if (outcome.Outputs is { } o)
        {
            var rowOf = new Dictionary<PrimaryKey, int>(o.Result.Keys.Count);
            for (int i = 0; i < o.Result.Keys.Count; i++)
                rowOf[o.Result.Keys[i]] = i;
            var rows = keys.Select(k => rowOf.TryGetValue(k, out int row) ? row : -1).ToList();
            var fields = FieldDataConverter.FromResult(schema, o.Result, rows, o.Selection);
            // The SDKs build result rows from fields_data: the primary key must be there (and it comes from the keys,
            // so a row deleted between the two search phases still reports its key).
            fields.RemoveAll(f => f.FieldName == pk.Name);
            fields.Insert(0, FieldDataConverter.PkField(pk, keys));
            data.FieldsData.Add(fields);
            var names = OutputNames(schema, o.Result.FieldIndexes, o.Selection, requested);
            if (!names.Contains(pk.Name))
                names.Insert(0, pk.Name);
            data.OutputFields.Add(names);
        }
        else
        {
            data.FieldsData.Add(FieldDataConverter.PkField(pk, keys));
            data.OutputFields.Add(pk.Name);
        }
        return new SearchResults { Status = Ok(), Results = data, CollectionName = info.Name };
    }

    private sealed class SearchParams
    {
        public string? AnnsField { get; set; }
        public int? TopK { get; set; }
        public int Offset { get; set; }
        public string? Metric { get; set; }
        public int RoundDecimal { get; set; } = -1;
        public float? Radius { get; set; }
        public float? RangeFilter { get; set; }
        public int Ef { get; set; }
        public int Nprobe { get; set; }
        public float? RefineK { get; set; }
        public bool IgnoreGrowing { get; set; }
    }

    /// <summary>Index search knobs, sent flattened at the top level (Node SDK) or inside the params JSON.</summary>
    private static bool TryKnob(string key, string raw, SearchParams p)
    {
        switch (key)
        {
            case "ef": p.Ef = ParseKnob(raw, key, 1, 32768); return true;
            case "nprobe": p.Nprobe = ParseKnob(raw, key, 1, 65536); return true;
            case "refine_k": p.RefineK = ParseFloat(raw, key); return true;
            case "radius": p.Radius = ParseFloat(raw, key); return true;
            case "range_filter": p.RangeFilter = ParseFloat(raw, key); return true;
            default: return false;
        }
    }

    private static int ParseKnob(string raw, string name, int min, int max)
    {
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max)
            return v;
        throw MilvusErrors.Invalid($"search parameter {name}={raw} must be an integer in [{min}, {max}]");
    }

    private static SearchParams ParseSearchParams(SearchRequest req)
    {
        var p = new SearchParams();
        foreach (var kv in req.SearchParams)
        {
            switch (kv.Key)
            {
                case "anns_field": p.AnnsField = string.IsNullOrEmpty(kv.Value) ? null : kv.Value; break;
                case "topk" or "limit": p.TopK = ParseInt(kv, kv.Key); break;
                case "offset": p.Offset = string.IsNullOrEmpty(kv.Value) ? 0 : ParseInt(kv, "offset"); break;
                case "metric_type": p.Metric = kv.Value; break;
                case "round_decimal": p.RoundDecimal = string.IsNullOrEmpty(kv.Value) ? -1 : ParseInt(kv, "round_decimal"); break;
                case "ignore_growing": p.IgnoreGrowing = bool.TryParse(kv.Value, out bool ig) ? ig : throw MilvusErrors.Invalid($"ignore_growing must be true or false, got '{kv.Value}'"); break;
                case "group_by_field" or "group_size" or "strict_group_size":
                    if (!string.IsNullOrEmpty(kv.Value) && kv.Key == "group_by_field")
                        throw new MilvusException(ErrorCodes.ServiceUnimplemented, "grouping search (group_by_field) is not supported yet");
                    break;
                case "params": ParseParamsJson(kv.Value, p); break;
                // Empty values are SDK bookkeeping (e.g. hints=""); anything set that we do not act on is refused.
                default:
                    if (!string.IsNullOrEmpty(kv.Value) && !TryKnob(kv.Key, kv.Value, p))
                        throw MilvusErrors.Invalid($"search parameter '{kv.Key}' is not supported (supported: anns_field, topk, offset, metric_type, round_decimal, ignore_growing, radius, range_filter, ef, nprobe, refine_k)");
                    break;
            }
        }
        if (p.TopK is { } k && k <= 0)
            throw MilvusErrors.Invalid($"topk must be positive, got {k}");
        return p;
    }

    private static void ParseParamsJson(string json, SearchParams p)
    {
        if (string.IsNullOrWhiteSpace(json))
            return;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"search params must be a JSON object, got '{json}': {ex.Message}", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw MilvusErrors.Invalid($"search params must be a JSON object, got '{json}'");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                string raw = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString()! : prop.Value.GetRawText();
                if (prop.Name == "metric_type")
                {
                    if (string.IsNullOrEmpty(p.Metric))
                        p.Metric = raw;
                }
                else if (!TryKnob(prop.Name, raw, p))
                {
                    throw MilvusErrors.Invalid($"search parameter '{prop.Name}' is not supported (supported: radius, range_filter, ef, nprobe, refine_k)");
                }
            }
        }
    }

    private static float ParseFloat(string value, string name)
    {
        if (float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && float.IsFinite(f))
            return f;
        throw MilvusErrors.Invalid($"{name} must be a number, got '{value}'");
    }

    /// <summary>The query vectors of a serialized PlaceholderGroup (FloatVector: little-endian float32 rows).</summary>
    internal static List<float[]> ParsePlaceholders(ByteString bytes)
    {
        if (bytes.IsEmpty)
            throw MilvusErrors.Missing("placeholder_group");
        PC.PlaceholderGroup group;
        try
        {
            group = PC.PlaceholderGroup.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"placeholder_group is not a valid PlaceholderGroup: {ex.Message}", ex);
        }
        if (group.Placeholders.Count == 0)
            throw MilvusErrors.Invalid("search needs at least one query vector (placeholder_group is empty)");
        var ph = group.Placeholders[0];
        if (ph.Type != PC.PlaceholderType.FloatVector)
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"query vectors of type {ph.Type} are not supported yet: only FloatVector");
        var list = new List<float[]>(ph.Values.Count);
        foreach (var v in ph.Values)
        {
            var span = v.Span;
            if (span.Length % 4 != 0)
                throw MilvusErrors.Invalid($"query vector {list.Count} has {span.Length} bytes, not a whole number of float32 values");
            var vec = new float[span.Length / 4];
            for (int i = 0; i < vec.Length; i++)
                vec[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4, 4));
            list.Add(vec);
        }
        return list;
    }
}
