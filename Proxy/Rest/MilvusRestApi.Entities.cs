using System.Globalization;
using System.Text.Json;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private static readonly string[] s_allFields = ["*"];

    private void RegisterEntities()
    {
        On("entities/insert", (r, w, ct) => InsertAsync(r, w, upsert: false, ct));
        On("entities/upsert", (r, w, ct) => InsertAsync(r, w, upsert: true, ct));
        On("entities/delete", DeleteAsync);
        On("entities/get", GetAsync);
        On("entities/query", QueryAsync);
        On("entities/search", SearchAsync);
    }

    private async ValueTask InsertAsync(RestRequest r, Utf8JsonWriter w, bool upsert, CancellationToken ct)
    {
        var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
        var data = r.Get("data") ?? throw MilvusErrors.Missing("data");
        int n = RowParser.CountRows(data);
        var pk = info.Schema.PrimaryKey;
        long firstId = pk.AutoId && !upsert && n > 0 ? await _proxy.AllocateAutoIdsAsync(n, ct) : 0;
        var rows = RowParser.Parse(info, data, firstId, requirePk: upsert);
        await _proxy.InsertAsync(info, r.OptString("partitionName"), rows, upsert, ct);
        int pkIndex = ProxyService.FieldIndex(info.Schema, pk);
        w.WriteStartObject("data");
        w.WriteNumber(upsert ? "upsertCount" : "insertCount", rows.RowCount);
        w.WriteStartArray(upsert ? "upsertIds" : "insertIds");
        for (int i = 0; i < rows.RowCount; i++)
        {
            var key = PrimaryKey.FromColumn(rows.Columns[pkIndex], i);
            if (key.IsString)
                w.WriteStringValue(key.Str);
            else
                w.WriteNumberValue(key.Int);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private async ValueTask DeleteAsync(RestRequest r, Utf8JsonWriter w, CancellationToken ct)
    {
        var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
        string? filter = r.OptString("filter");
        string? partition = r.OptString("partitionName");
        int count;
        if (r.Has("id"))
        {
            if (!string.IsNullOrWhiteSpace(filter))
                throw MilvusErrors.Invalid("set either 'filter' or 'id' for a delete, not both");
            count = await _proxy.DeleteKeysAsync(info, partition, ParseIds(info, r.Get("id")!.Value), ct);
        }
        else if (!string.IsNullOrWhiteSpace(filter))
        {
            count = await _proxy.DeleteByFilterAsync(info, partition, filter, r.OptObjectMap("exprParams"), ct);
        }
        else
        {
            throw MilvusErrors.Missing("filter");
        }
        w.WriteStartObject("data");
        w.WriteNumber("deleteCount", count);
        w.WriteEndObject();
    }

    private async ValueTask GetAsync(RestRequest r, Utf8JsonWriter w, CancellationToken ct)
    {
        var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
        var ids = ParseIds(info, r.Get("id") ?? throw MilvusErrors.Missing("id"));
        var outcome = await _proxy.QueryAsync(info, new QueryArgs
        {
            Ids = ids,
            OutputFields = r.OptStringList("outputFields") ?? s_allFields,
            PartitionNames = r.OptStringList("partitionNames"),
            Consistency = r.OptConsistency(),
        }, ct);
        WriteRows(w, info, outcome);
    }

    private async ValueTask QueryAsync(RestRequest r, Utf8JsonWriter w, CancellationToken ct)
    {
        var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
        var outputs = r.OptStringList("outputFields") ?? s_allFields;
        bool count = outputs.Any(o => string.Equals(o.Trim(), "count(*)", StringComparison.OrdinalIgnoreCase));
        int? limit = r.OptInt("limit");
        var outcome = await _proxy.QueryAsync(info, new QueryArgs
        {
            Filter = r.OptString("filter"),
            FilterParams = r.OptObjectMap("exprParams"),
            OutputFields = outputs,
            Limit = limit ?? (count ? -1 : 100),
            Offset = r.OptInt("offset") ?? 0,
            PartitionNames = r.OptStringList("partitionNames"),
            Consistency = r.OptConsistency(),
        }, ct);
        if (outcome.Selection.CountOnly)
        {
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteNumber("count(*)", outcome.Result.Count);
            w.WriteEndObject();
            w.WriteEndArray();
            return;
        }
        WriteRows(w, info, outcome);
    }

    private static void WriteRows(Utf8JsonWriter w, CollectionInfo info, QueryOutcome outcome)
    {
        w.WriteStartArray("data");
        for (int row = outcome.Skip; row < outcome.Result.Keys.Count; row++)
        {
            w.WriteStartObject();
            ResultWriter.WriteRowFields(w, info.Schema, outcome.Result, row, outcome.Selection);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private async ValueTask SearchAsync(RestRequest r, Utf8JsonWriter w, CancellationToken ct)
    {
        var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
        if (r.Has("groupingField"))
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, "grouping search (groupingField) is not supported yet");
        var data = r.Get("data") ?? throw MilvusErrors.Missing("data");
        var vectors = ParseVectors(data);
        float? radius = null, rangeFilter = null;
        int ef = 0, nprobe = 0;
        float? refineK = null;
        string? metric = null;
        if (r.Get("searchParams") is { ValueKind: JsonValueKind.Object } sp)
        {
            var spr = new RestRequest(sp);
            metric = spr.OptString("metricType") ?? spr.OptString("metric_type");
            if (spr.Get("params") is { ValueKind: JsonValueKind.Object } p)
            {
                foreach (var prop in p.EnumerateObject())
                {
                    switch (prop.Name)
                    {
                        case "radius": radius = ParseFloat(prop); break;
                        case "range_filter": rangeFilter = ParseFloat(prop); break;
                        case "ef": ef = ParseKnob(prop, 1, 32768); break;
                        case "nprobe": nprobe = ParseKnob(prop, 1, 65536); break;
                        case "refine_k": refineK = ParseFloat(prop); break;
                        default:
                            throw MilvusErrors.Invalid($"search parameter '{prop.Name}' is not supported (supported: radius, range_filter, ef, nprobe, refine_k)");
                    }
                }
            }
        }
        var outcome = await _proxy.SearchAsync(info, new SearchArgs
        {
            AnnsField = r.OptString("annsField"),
            Vectors = vectors,
            Limit = r.OptInt("limit") ?? 100,
            Offset = r.OptInt("offset") ?? 0,
            Filter = r.OptString("filter"),
            FilterParams = r.OptObjectMap("exprParams"),
            OutputFields = r.OptStringList("outputFields"),
            MetricType = metric,
            Radius = radius,
            RangeFilter = rangeFilter,
            Ef = ef,
            Nprobe = nprobe,
            RefineK = refineK,
            PartitionNames = r.OptStringList("partitionNames"),
            Consistency = r.OptConsistency(),
        }, ct);
        var rowOf = new Dictionary<PrimaryKey, int>();
        if (outcome.Outputs is { } o)
        {
            for (int i = 0; i < o.Result.Keys.Count; i++)
                rowOf[o.Result.Keys[i]] = i;
        }
        w.WriteStartArray("data");
        int total = 0;
        foreach (var hits in outcome.Hits)
        {
            foreach (var hit in hits)
            {
                w.WriteStartObject();
                if (outcome.Outputs is { } outputs && rowOf.TryGetValue(hit.Pk, out int row))
                    ResultWriter.WriteRowFields(w, info.Schema, outputs.Result, row, outputs.Selection);
                else
                    WritePk(w, outcome.PkName, hit.Pk);
                w.WriteNumber("distance", hit.Score);
                w.WriteEndObject();
                total++;
            }
        }
        w.WriteEndArray();
        if (outcome.Hits.Length > 1 && total > 0)
        {
            w.WriteStartArray("topks");
            foreach (var hits in outcome.Hits)
                w.WriteNumberValue(hits.Count);
            w.WriteEndArray();
        }
    }

    private static void WritePk(Utf8JsonWriter w, string name, PrimaryKey pk)
    {
        if (pk.IsString)
            w.WriteString(name, pk.Str);
        else
            w.WriteNumber(name, pk.Int);
    }

    private static int ParseKnob(JsonProperty prop, int min, int max)
    {
        float v = ParseFloat(prop);
        if (v != MathF.Floor(v) || v < min || v > max)
            throw MilvusErrors.Invalid($"search parameter {prop.Name}={prop.Value.GetRawText()} must be an integer in [{min}, {max}]");
        return (int)v;
    }

    private static float ParseFloat(JsonProperty prop)
    {
        var v = prop.Value;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetSingle(out float f))
            return f;
        if (v.ValueKind == JsonValueKind.String && float.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out f))
            return f;
        throw RestRequest.TypeError(prop.Name, "a number");
    }

    private static List<float[]> ParseVectors(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
            throw MilvusErrors.Invalid("'data' must be an array of query vectors");
        var list = new List<float[]>(data.GetArrayLength());
        foreach (var v in data.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Array)
                throw MilvusErrors.Invalid("'data' must be an array of query vectors (arrays of floats)");
            var vec = new float[v.GetArrayLength()];
            int i = 0;
            foreach (var x in v.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetSingle(out vec[i]))
                    throw MilvusErrors.Invalid($"query vector {list.Count} element {i} is not a number");
                i++;
            }
            list.Add(vec);
        }
        return list;
    }

    private static List<PrimaryKey> ParseIds(CollectionInfo info, JsonElement id)
    {
        bool isString = info.Schema.PrimaryKey.DataType == DataType.VarChar;
        var list = new List<PrimaryKey>();
        if (id.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in id.EnumerateArray())
                list.Add(ParseId(e, isString));
        }
        else
        {
            list.Add(ParseId(id, isString));
        }
        if (list.Count == 0)
            throw MilvusErrors.Invalid("'id' is empty: give at least one primary key");
        return list;
    }

    private static PrimaryKey ParseId(JsonElement e, bool isString)
    {
        if (isString)
            return e.ValueKind == JsonValueKind.String ? PrimaryKey.Of(e.GetString()!) : throw MilvusErrors.Invalid($"primary key {e.GetRawText()} must be a string (VarChar primary key)");
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v))
            return PrimaryKey.Of(v);
        if (e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out v))
            return PrimaryKey.Of(v);
        throw MilvusErrors.Invalid($"primary key {e.GetRawText()} must be an Int64");
    }
}
