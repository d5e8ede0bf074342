using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Collections;
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
    private static readonly string[] s_countOutput = ["count(*)"];

    private void RegisterEntities(IGrpcMethodRegistry r)
    {
        Map(r, "Insert", InsertRequest.Parser, (req, ctx) =>
            WriteAsync(req.DbName, req.CollectionName, req.PartitionName, req.FieldsData, req.NumRows, upsert: false, ctx),
            (m, s) => m.Status = s);
        Map(r, "Upsert", UpsertRequest.Parser, (req, ctx) =>
        {
            if (req.PartialUpdate)
                throw new MilvusException(ErrorCodes.ServiceUnimplemented, "partial update (upsert with partial_update=true) is not supported yet");
            return WriteAsync(req.DbName, req.CollectionName, req.PartitionName, req.FieldsData, req.NumRows, upsert: true, ctx);
        }, (m, s) => m.Status = s);
        Map(r, "Delete", DeleteRequest.Parser, DeleteAsync, (m, s) => m.Status = s);
        Map(r, "Query", QueryRequest.Parser, QueryAsync, (m, s) => m.Status = s);
    }

    private async ValueTask<MutationResult> WriteAsync(string dbName, string collection, string partition, RepeatedField<PS.FieldData> data, uint numRows, bool upsert, GrpcCallContext ctx)
    {
        var ct = ctx.CancellationToken;
        var info = await _proxy.RequireCollectionAsync(Db(dbName, ctx), collection, ct);
        int n = FieldDataConverter.CountRows(data, numRows);
        var pk = info.Schema.PrimaryKey;
        long firstId = pk.AutoId && !upsert && n > 0 ? await _proxy.AllocateAutoIdsAsync(n, ct) : 0;
        var rows = FieldDataConverter.ToBlock(info, data, n, firstId, requirePk: upsert);
        ulong ts = await _proxy.InsertAsync(info, string.IsNullOrEmpty(partition) ? null : partition, rows, upsert, ct);
        int pkIndex = ProxyService.FieldIndex(info.Schema, pk);
        var keys = new List<PrimaryKey>(rows.RowCount);
        for (int i = 0; i < rows.RowCount; i++)
            keys.Add(PrimaryKey.FromColumn(rows.Columns[pkIndex], i));
        var result = new MutationResult
        {
            Status = Ok(),
            IDs = FieldDataConverter.ToIds(keys, pk.DataType == DataType.VarChar),
            InsertCnt = upsert ? 0 : rows.RowCount,
            UpsertCnt = upsert ? rows.RowCount : 0,
            Timestamp = ts,
        };
        for (uint i = 0; i < (uint)rows.RowCount; i++)
            result.SuccIndex.Add(i);
        return result;
    }

    private async ValueTask<MutationResult> DeleteAsync(DeleteRequest req, GrpcCallContext ctx)
    {
        var ct = ctx.CancellationToken;
        var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ct);
        if (string.IsNullOrWhiteSpace(req.Expr))
            throw MilvusErrors.Missing("expr");
        var parameters = TemplateValues(req.ExprTemplateValues);
        string? partition = string.IsNullOrEmpty(req.PartitionName) ? null : req.PartitionName;
        // "pk in [..]" / "pk == v" on an unloaded collection deletes by key, as Milvus does; any other filter needs a load.
        int count = !info.IsLoaded && parameters is null && TryParsePkList(info, req.Expr) is { } keys
            ? await _proxy.DeleteKeysAsync(info, partition, keys, ct)
            : await _proxy.DeleteByFilterAsync(info, partition, req.Expr, parameters, ct);
        ulong ts = await _proxy.Coordinator.AllocateTimestampAsync(1, ct);
        return new MutationResult
        {
            Status = Ok(),
            IDs = FieldDataConverter.ToIds([], info.Schema.PrimaryKey.DataType == DataType.VarChar),
            DeleteCnt = count,
            Timestamp = ts,
        };
    }

    /// <summary>The keys of a plain "pk in [..]" or "pk == v" filter, or null for anything else.</summary>
    internal static List<PrimaryKey>? TryParsePkList(CollectionInfo info, string expr)
    {
        var pk = info.Schema.PrimaryKey;
        var m = System.Text.RegularExpressions.Regex.Match(expr, @"^\s*(\w+)\s*(?:(?i:in)\s*\[(.*)\]|==\s*(.+?))\s*$", System.Text.RegularExpressions.RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        if (!m.Success || m.Groups[1].Value != pk.Name)
            return null;
        string list = m.Groups[2].Success ? $"[{m.Groups[2].Value}]" : $"[{m.Groups[3].Value}]";
        try
        {
            using var doc = JsonDocument.Parse(list);
            var keys = new List<PrimaryKey>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (pk.DataType == DataType.VarChar && e.ValueKind == JsonValueKind.String)
                    keys.Add(PrimaryKey.Of(e.GetString()!));
                else if (pk.DataType == DataType.Int64 && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v))
                    keys.Add(PrimaryKey.Of(v));
                else
                    return null;
            }
            return keys.Count > 0 ? keys : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async ValueTask<QueryResults> QueryAsync(QueryRequest req, GrpcCallContext ctx)
    {
        var ct = ctx.CancellationToken;
        var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ct);
        int limit = -1, offset = 0;
        foreach (var kv in req.QueryParams)
        {
            switch (kv.Key)
            {
                case "limit": limit = ParseInt(kv, "limit"); break;
                case "offset": offset = ParseInt(kv, "offset"); break;
                default: break;
            }
        }
        var outputs = req.OutputFields.ToList();
        var outcome = await _proxy.QueryAsync(info, new QueryArgs
        {
            Filter = string.IsNullOrWhiteSpace(req.Expr) ? null : req.Expr,
            FilterParams = TemplateValues(req.ExprTemplateValues),
            OutputFields = outputs,
            Limit = limit,
            Offset = offset,
            PartitionNames = req.PartitionNames.Count > 0 ? [.. req.PartitionNames] : null,
            Consistency = req.UseDefaultConsistency ? null : (ConsistencyLevel)(int)req.ConsistencyLevel,
            GuaranteeTimestamp = req.GuaranteeTimestamp,
        }, ct);
        var resp = new QueryResults { Status = Ok(), CollectionName = info.Name, PrimaryFieldName = info.Schema.PrimaryKey.Name };
        if (outcome.Selection.CountOnly)
        {
            var fd = new PS.FieldData { Type = PS.DataType.Int64, FieldName = s_countOutput[0] };
            fd.Scalars = new PS.ScalarField { LongData = new PS.LongArray() };
            fd.Scalars.LongData.Data.Add(outcome.Result.Count);
            resp.FieldsData.Add(fd);
            resp.OutputFields.Add(s_countOutput);
            return resp;
        }
        var rows = Enumerable.Range(outcome.Skip, outcome.Result.Keys.Count - outcome.Skip).ToList();
        resp.FieldsData.Add(FieldDataConverter.FromResult(info.Schema, outcome.Result, rows, outcome.Selection));
        resp.OutputFields.Add(OutputNames(info.Schema, outcome.Result.FieldIndexes, outcome.Selection, outputs));
        return resp;
    }

    /// <summary>Output field names as Milvus reports them: "*" expanded, the primary key included, dynamic keys by name.</summary>
    private static List<string> OutputNames(CollectionSchema schema, IReadOnlyList<int> fieldIndexes, OutputSelection selection, IReadOnlyList<string> requested)
    {
        var names = new List<string>();
        foreach (int idx in fieldIndexes)
        {
            var f = schema.Fields[idx];
            if (f.IsDynamic && !selection.AllDynamic)
                continue;
            names.Add(f.Name);
        }
        foreach (var key in selection.DynamicKeys)
        {
            if (!names.Contains(key))
                names.Add(key);
        }
        _ = requested;
        return names;
    }

    private static int ParseInt(PC.KeyValuePair kv, string name)
    {
        if (int.TryParse(kv.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            return v;
        throw MilvusErrors.Invalid($"{name} must be an integer, got '{kv.Value}'");
    }

    /// <summary>expr_template_values as the JSON values the filter compiler binds to {name} placeholders.</summary>
    internal static IReadOnlyDictionary<string, JsonElement>? TemplateValues(MapField<string, PS.TemplateValue> values)
    {
        if (values.Count == 0)
            return null;
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (k, v) in values)
            {
                w.WritePropertyName(k);
                WriteTemplate(w, v);
            }
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
            map[p.Name] = p.Value.Clone();
        return map;
    }

    private static void WriteTemplate(Utf8JsonWriter w, PS.TemplateValue v)
    {
        switch (v.ValCase)
        {
            case PS.TemplateValue.ValOneofCase.BoolVal: w.WriteBooleanValue(v.BoolVal); break;
            case PS.TemplateValue.ValOneofCase.Int64Val: w.WriteNumberValue(v.Int64Val); break;
            case PS.TemplateValue.ValOneofCase.FloatVal: w.WriteNumberValue(v.FloatVal); break;
            case PS.TemplateValue.ValOneofCase.StringVal: w.WriteStringValue(v.StringVal); break;
            case PS.TemplateValue.ValOneofCase.ArrayVal: WriteTemplateArray(w, v.ArrayVal); break;
            default: w.WriteNullValue(); break;
        }
    }

    private static void WriteTemplateArray(Utf8JsonWriter w, PS.TemplateArrayValue a)
    {
        w.WriteStartArray();
        switch (a.DataCase)
        {
            case PS.TemplateArrayValue.DataOneofCase.BoolData:
                foreach (var x in a.BoolData.Data)
                    w.WriteBooleanValue(x);
                break;
            case PS.TemplateArrayValue.DataOneofCase.LongData:
                foreach (var x in a.LongData.Data)
                    w.WriteNumberValue(x);
                break;
            case PS.TemplateArrayValue.DataOneofCase.DoubleData:
                foreach (var x in a.DoubleData.Data)
                    w.WriteNumberValue(x);
                break;
            case PS.TemplateArrayValue.DataOneofCase.StringData:
                foreach (var x in a.StringData.Data)
                    w.WriteStringValue(x);
                break;
            case PS.TemplateArrayValue.DataOneofCase.ArrayData:
                foreach (var x in a.ArrayData.Data)
                    WriteTemplateArray(w, x);
                break;
            case PS.TemplateArrayValue.DataOneofCase.JsonData:
                foreach (var x in a.JsonData.Data)
                    w.WriteRawValue(x.Span);
                break;
            default:
                break;
        }
        w.WriteEndArray();
    }
}
