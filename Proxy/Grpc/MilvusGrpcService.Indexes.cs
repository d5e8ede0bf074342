using System.Text.Json;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private void RegisterIndexes(IGrpcMethodRegistry r)
    {
        MapStatus(r, "CreateIndex", CreateIndexRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.CreateIndexAsync(Db(req.DbName, ctx), Required(req.CollectionName, "collection_name"), ParseIndex(req), ctx.CancellationToken));
        Map(r, "DescribeIndex", DescribeIndexRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            var indexes = FindIndexes(info, req.FieldName, req.IndexName);
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, null, ctx.CancellationToken);
            var resp = new DescribeIndexResponse { Status = Ok() };
            foreach (var index in indexes)
            {
                var d = new IndexDescription
                {
                    IndexName = index.IndexName,
                    IndexID = index.FieldId,
                    FieldName = index.FieldName,
                    // FLAT and AUTOINDEX search the raw vectors: every row is served by the index as soon as it exists.
                    State = PC.IndexState.Finished,
                    IndexedRows = rows,
                    TotalRows = rows,
                    PendingIndexRows = 0,
                };
                d.Params.Add(new PC.KeyValuePair { Key = "index_type", Value = index.IndexType });
                d.Params.Add(new PC.KeyValuePair { Key = "metric_type", Value = index.MetricType });
                if (index.Params.Count > 0)
                    d.Params.Add(new PC.KeyValuePair { Key = "params", Value = ParamsJson(index.Params) });
                resp.IndexDescriptions.Add(d);
            }
            return resp;
        }, (m, s) => m.Status = s);
        MapStatus(r, "DropIndex", DropIndexRequest.Parser, async (req, ctx) =>
        {
            string db = Db(req.DbName, ctx);
            var info = await _proxy.RequireCollectionAsync(db, req.CollectionName, ctx.CancellationToken);
            foreach (var index in FindIndexes(info, req.FieldName, req.IndexName))
                await _proxy.Coordinator.DropIndexAsync(db, info.Name, index.IndexName, ctx.CancellationToken);
        });
        Map(r, "GetIndexState", GetIndexStateRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            FindIndexes(info, req.FieldName, req.IndexName);
            return new GetIndexStateResponse { Status = Ok(), State = PC.IndexState.Finished };
        }, (m, s) => m.Status = s);
        Map(r, "GetIndexBuildProgress", GetIndexBuildProgressRequest.Parser, async (req, ctx) =>
        {
            var info = await _proxy.RequireCollectionAsync(Db(req.DbName, ctx), req.CollectionName, ctx.CancellationToken);
            FindIndexes(info, req.FieldName, req.IndexName);
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, null, ctx.CancellationToken);
            return new GetIndexBuildProgressResponse { Status = Ok(), IndexedRows = rows, TotalRows = rows };
        }, (m, s) => m.Status = s);
    }

    /// <summary>Indexes matching a field and/or index name (both empty = all); none → IndexNotFound.</summary>
    private static List<IndexInfo> FindIndexes(CollectionInfo info, string? fieldName, string? indexName)
    {
        var list = info.Indexes
            .Where(i => (string.IsNullOrEmpty(indexName) || i.IndexName == indexName) && (string.IsNullOrEmpty(fieldName) || i.FieldName == fieldName))
            .ToList();
        if (list.Count == 0)
        {
            string what = !string.IsNullOrEmpty(indexName) ? $"[indexName={indexName}]" : !string.IsNullOrEmpty(fieldName) ? $"[field={fieldName}]" : "";
            throw new MilvusException(ErrorCodes.IndexNotFound, $"index not found{what} in collection '{info.Name}'");
        }
        return list;
    }

    /// <summary>extra_params: index_type, metric_type and params (a JSON object, flattened); other keys are index params too.</summary>
    private static IndexInfo ParseIndex(CreateIndexRequest req)
    {
        string indexType = "", metricType = "";
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in req.ExtraParams)
        {
            switch (kv.Key)
            {
                case "index_type": indexType = kv.Value; break;
                case "metric_type": metricType = kv.Value; break;
                case "params":
                    if (string.IsNullOrWhiteSpace(kv.Value))
                        break;
                    JsonDocument doc;
                    try
                    {
                        doc = JsonDocument.Parse(kv.Value);
                    }
                    catch (JsonException ex)
                    {
                        throw new MilvusException(ErrorCodes.ParameterInvalid, $"index params must be a JSON object, got '{kv.Value}': {ex.Message}", ex);
                    }
                    using (doc)
                    {
                        if (doc.RootElement.ValueKind != JsonValueKind.Object)
                            throw MilvusErrors.Invalid($"index params must be a JSON object, got '{kv.Value}'");
                        foreach (var p in doc.RootElement.EnumerateObject())
                        {
                            string v = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                            switch (p.Name)
                            {
                                case "index_type": indexType = v; break;
                                case "metric_type": metricType = v; break;
                                default: parameters[p.Name] = v; break;
                            }
                        }
                    }
                    break;
                default:
                    parameters[kv.Key] = kv.Value;
                    break;
            }
        }
        return new IndexInfo
        {
            IndexName = req.IndexName,
            FieldId = 0,
            FieldName = Required(req.FieldName, "field_name"),
            IndexType = indexType,
            MetricType = metricType,
            Params = parameters,
        };
    }

    private static string ParamsJson(IReadOnlyDictionary<string, string> parameters)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (k, v) in parameters)
            {
                w.WritePropertyName(k);
                if (v.Length > 0 && (char.IsAsciiDigit(v[0]) || v[0] == '-') && double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                    w.WriteRawValue(v);
                else
                    w.WriteStringValue(v);
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
