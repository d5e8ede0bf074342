using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Schema;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private void RegisterCollections()
    {
        On("collections/create", CreateCollectionAsync);
        On("collections/list", async (r, w, ct) =>
        {
            var list = await _proxy.Coordinator.ListCollectionsAsync(r.Db, ct);
            w.WriteStartArray("data");
            foreach (var c in list)
                w.WriteStringValue(c.Name);
            w.WriteEndArray();
        });
        On("collections/has", async (r, w, ct) =>
        {
            var name = r.RequiredString("collectionName");
            var info = await _proxy.Coordinator.FindCollectionAsync(r.Db, name, ct);
            w.WriteStartObject("data");
            w.WriteBoolean("has", info is not null);
            w.WriteEndObject();
        });
        On("collections/describe", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            var aliases = await _proxy.Coordinator.ListAliasesAsync(r.Db, info.Name, ct);
            WriteDescription(w, info, aliases);
        });
        On("collections/drop", async (r, w, ct) =>
        {
            await _proxy.Coordinator.DropCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            WriteEmpty(w);
        });
        On("collections/rename", async (r, w, ct) =>
        {
            await _proxy.Coordinator.RenameCollectionAsync(r.Db, r.RequiredString("collectionName"), r.RequiredString("newCollectionName"), r.OptString("newDbName"), ct);
            WriteEmpty(w);
        });
        On("collections/load", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            await _proxy.Coordinator.LoadAsync(r.Db, info.Name, null, ct);
            WriteEmpty(w);
        });
        On("collections/release", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            await _proxy.Coordinator.ReleaseAsync(r.Db, info.Name, null, ct);
            WriteEmpty(w);
        });
        On("collections/get_load_state", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            var partitions = r.OptStringList("partitionNames");
            bool loaded = info.IsLoaded;
            if (partitions is { Count: > 0 })
            {
                foreach (var p in partitions)
                {
                    var part = info.FindPartition(p) ?? throw MilvusErrors.PartitionNotFound(p);
                    loaded &= info.LoadedPartitionIds.Contains(part.PartitionId);
                }
            }
            w.WriteStartObject("data");
            w.WriteString("loadState", loaded ? "LoadStateLoaded" : "LoadStateNotLoad");
            if (loaded)
                w.WriteNumber("loadProgress", 100);
            w.WriteEndObject();
            w.WriteString("message", "");
        });
        On("collections/get_stats", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            long rows = await _proxy.Streaming.CountRowsAsync(info.CollectionId, null, ct);
            w.WriteStartObject("data");
            w.WriteNumber("rowCount", rows);
            w.WriteEndObject();
        });
        On("collections/flush", async (r, w, ct) =>
        {
            var info = await _proxy.RequireCollectionAsync(r.Db, r.RequiredString("collectionName"), ct);
            await _proxy.Streaming.FlushAsync(info.CollectionId, ct);
            WriteEmpty(w);
        });
    }

    private static void WriteEmpty(Utf8JsonWriter w)
    {
        w.WriteStartObject("data");
        w.WriteEndObject();
    }

    private async ValueTask CreateCollectionAsync(RestRequest r, Utf8JsonWriter w, CancellationToken ct)
    {
        string name = r.RequiredString("collectionName");
        SchemaValidator.ValidateName(name, "collection");
        var parameters = r.Get("params");
        int shards = 1, partitionsNum = 0;
        ConsistencyLevel consistency = ConsistencyLevel.Bounded;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parameters is { ValueKind: JsonValueKind.Object } p)
        {
            foreach (var prop in p.EnumerateObject())
            {
                switch (prop.Name)
                {
                    case "shardsNum": shards = ParseIntParam(prop); break;
                    case "partitionsNum": partitionsNum = ParseIntParam(prop); break;
                    case "consistencyLevel": consistency = RestRequest.ParseConsistency(prop.Value.GetString() ?? ""); break;
                    case "ttlSeconds" or "mmap.enabled" or "partitionKeyIsolation":
                        throw new MilvusException(ErrorCodes.ServiceUnimplemented, $"collection parameter '{prop.Name}' is not supported yet");
                    default:
                        throw MilvusErrors.Invalid($"unknown collection parameter '{prop.Name}' (supported: shardsNum, partitionsNum, consistencyLevel)");
                }
            }
        }
        if (r.OptConsistency() is { } level)
            consistency = level;
        CollectionSchema schema;
        var indexes = new List<IndexInfo>();
        bool load;
        if (r.Get("schema") is { ValueKind: JsonValueKind.Object } schemaJson && schemaJson.TryGetProperty("fields", out var fieldsJson) && fieldsJson.ValueKind == JsonValueKind.Array)
        {
            schema = ParseSchema(name, r.OptString("description") ?? "", schemaJson, fieldsJson);
            if (r.Get("indexParams") is { ValueKind: JsonValueKind.Array } ip)
            {
                foreach (var idx in ip.EnumerateArray())
                    indexes.Add(ParseIndex(idx));
            }
            load = indexes.Count > 0;
        }
        else
        {
            schema = QuickSchema(r, name);
            indexes.Add(new IndexInfo
            {
                IndexName = schema.Fields[1].Name,
                FieldId = 0,
                FieldName = schema.Fields[1].Name,
                IndexType = "AUTOINDEX",
                MetricType = r.OptString("metricType") is { Length: > 0 } m ? m : "COSINE",
            });
            load = true;
        }
        if (schema.PartitionKey is null && partitionsNum > 0)
            throw MilvusErrors.Invalid("partitionsNum is only allowed when the schema has a partition key field");
        await _proxy.Coordinator.CreateCollectionAsync(new CreateCollectionRequest
        {
            DbName = r.Db,
            Schema = schema,
            ShardsNum = shards,
            NumPartitions = partitionsNum,
            ConsistencyLevel = consistency,
            Properties = properties,
            Indexes = indexes,
            Load = load,
        }, ct);
        WriteEmpty(w);
    }

    private static int ParseIntParam(JsonProperty prop)
    {
        var v = prop.Value;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            return i;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i))
            return i;
        throw RestRequest.TypeError(prop.Name, "an integer");
    }

    private static CollectionSchema QuickSchema(RestRequest r, string name)
    {
        int dim = r.OptInt("dimension") ?? throw MilvusErrors.Missing("dimension");
        string idType = r.OptString("idType") is { Length: > 0 } t ? t : "Int64";
        if (!DataTypes.TryParse(idType, out var pkType) || pkType is not (DataType.Int64 or DataType.VarChar))
            throw MilvusErrors.Invalid($"idType must be Int64 or VarChar, got '{idType}'");
        int maxLength = 65535;
        if (r.Get("params") is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("max_length", out var ml) && ml.TryGetInt32(out int mlv))
            maxLength = mlv;
        string pkName = r.OptString("primaryFieldName") is { Length: > 0 } pn ? pn : "id";
        string vecName = r.OptString("vectorFieldName") is { Length: > 0 } vn ? vn : "vector";
        return new CollectionSchema
        {
            Name = name,
            Description = r.OptString("description") ?? "",
            EnableDynamicField = true,
            Fields =
            [
                new FieldSchema { FieldId = 0, Name = pkName, DataType = pkType, IsPrimaryKey = true, AutoId = r.OptBool("autoId") ?? r.OptBool("autoID") ?? false, MaxLength = pkType == DataType.VarChar ? maxLength : 0 },
                new FieldSchema { FieldId = 0, Name = vecName, DataType = DataType.FloatVector, Dim = dim },
            ],
        };
    }

    private static CollectionSchema ParseSchema(string name, string description, JsonElement schemaJson, JsonElement fieldsJson)
    {
        var schema = new RestRequest(schemaJson);
        bool autoId = schema.OptBool("autoId") ?? schema.OptBool("autoID") ?? false;
        var fields = new List<FieldSchema>();
        foreach (var f in fieldsJson.EnumerateArray())
        {
            var fr = new RestRequest(f);
            string fieldName = fr.RequiredString("fieldName");
            string typeName = fr.RequiredString("dataType");
            if (!DataTypes.TryParse(typeName, out var type))
                throw MilvusErrors.Invalid($"field '{fieldName}': unknown dataType '{typeName}'");
            var tp = fr.Get("elementTypeParams");
            int dim = TypeParam(tp, "dim", fieldName);
            int maxLength = TypeParam(tp, "max_length", fieldName);
            int maxCapacity = TypeParam(tp, "max_capacity", fieldName);
            var elementType = DataType.None;
            if (fr.OptString("elementDataType") is { Length: > 0 } et && !DataTypes.TryParse(et, out elementType))
                throw MilvusErrors.Invalid($"field '{fieldName}': unknown elementDataType '{et}'");
            bool isPrimary = fr.OptBool("isPrimary") ?? false;
            JsonNode? defaultValue = null;
            if (fr.Get("defaultValue") is { } dv)
                defaultValue = JsonNode.Parse(dv.GetRawText());
            if (fr.OptBool("isClusteringKey") == true)
                throw new MilvusException(ErrorCodes.ServiceUnimplemented, $"field '{fieldName}': clustering keys are not supported yet");
            fields.Add(new FieldSchema
            {
                FieldId = 0,
                Name = fieldName,
                DataType = type,
                Description = fr.OptString("description") ?? "",
                IsPrimaryKey = isPrimary,
                AutoId = isPrimary && (fr.OptBool("autoId") ?? fr.OptBool("autoID") ?? autoId),
                IsPartitionKey = fr.OptBool("isPartitionKey") ?? false,
                Nullable = fr.OptBool("nullable") ?? false,
                DefaultValue = defaultValue,
                Dim = dim,
                MaxLength = maxLength,
                ElementType = elementType,
                MaxCapacity = maxCapacity,
            });
        }
        var built = new CollectionSchema
        {
            Name = name,
            Description = description,
            EnableDynamicField = schema.OptBool("enableDynamicField") ?? false,
            Fields = fields,
        };
        foreach (var f in fields)
        {
            if (f.DefaultValue is not null)
                ValidateDefault(f);
        }
        return built;
    }

    private static void ValidateDefault(FieldSchema f)
    {
        var v = JsonDocument.Parse(f.DefaultValue!.ToJsonString()).RootElement;
        bool ok = f.DataType switch
        {
            DataType.Bool => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
            DataType.Int8 => v.TryGetInt64(out long a) && a is >= sbyte.MinValue and <= sbyte.MaxValue,
            DataType.Int16 => v.TryGetInt64(out long b) && b is >= short.MinValue and <= short.MaxValue,
            DataType.Int32 => v.TryGetInt64(out long c) && c is >= int.MinValue and <= int.MaxValue,
            DataType.Int64 => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _),
            DataType.Float or DataType.Double => v.ValueKind == JsonValueKind.Number,
            DataType.VarChar => v.ValueKind == JsonValueKind.String && System.Text.Encoding.UTF8.GetByteCount(v.GetString()!) <= f.MaxLength,
            DataType.Json => true,
            _ => false,
        };
        if (!ok)
            throw new MilvusException(ErrorCodes.CollectionIllegalSchema, $"field '{f.Name}': default value {v.GetRawText()} is not a valid {f.DataType.Name()}");
    }

    private static int TypeParam(JsonElement? tp, string key, string field)
    {
        if (tp is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
            return 0;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            return i;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i))
            return i;
        throw MilvusErrors.Invalid($"field '{field}': elementTypeParams.{key} must be an integer");
    }

    private static IndexInfo ParseIndex(JsonElement idx)
    {
        var ir = new RestRequest(idx);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ir.Get("params") is { ValueKind: JsonValueKind.Object } p)
        {
            foreach (var prop in p.EnumerateObject())
                parameters[prop.Name] = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString()! : prop.Value.GetRawText();
        }
        string indexType = ir.OptString("indexType") ?? (parameters.TryGetValue("index_type", out var it) ? it : "");
        return new IndexInfo
        {
            IndexName = ir.OptString("indexName") ?? "",
            FieldId = 0,
            FieldName = ir.RequiredString("fieldName"),
            IndexType = indexType,
            MetricType = ir.OptString("metricType") ?? (parameters.TryGetValue("metric_type", out var mt) ? mt : ""),
            Params = parameters,
        };
    }

    private static void WriteDescription(Utf8JsonWriter w, CollectionInfo info, IReadOnlyList<AliasInfo> aliases)
    {
        var schema = info.Schema;
        w.WriteStartObject("data");
        w.WriteString("collectionName", info.Name);
        w.WriteNumber("collectionID", info.CollectionId);
        w.WriteString("description", schema.Description);
        w.WriteBoolean("autoId", schema.PrimaryKey.AutoId);
        w.WriteStartArray("fields");
        foreach (var f in schema.Fields)
        {
            if (f.IsDynamic)
                continue;
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteNumber("id", f.FieldId);
            w.WriteString("type", f.DataType.Name());
            w.WriteString("description", f.Description);
            w.WriteBoolean("primaryKey", f.IsPrimaryKey);
            w.WriteBoolean("partitionKey", f.IsPartitionKey);
            w.WriteBoolean("clusteringKey", false);
            w.WriteBoolean("autoId", f.AutoId);
            w.WriteBoolean("nullable", f.Nullable);
            if (f.DefaultValue is { } dv)
            {
                w.WritePropertyName("defaultValue");
                w.WriteRawValue(dv.ToJsonString());
            }
            if (f.DataType == DataType.Array)
                w.WriteString("elementType", f.ElementType.Name());
            w.WriteStartArray("params");
            if (f.Dim > 0)
                WriteKv(w, "dim", f.Dim.ToString(CultureInfo.InvariantCulture));
            if (f.MaxLength > 0)
                WriteKv(w, "max_length", f.MaxLength.ToString(CultureInfo.InvariantCulture));
            if (f.MaxCapacity > 0)
                WriteKv(w, "max_capacity", f.MaxCapacity.ToString(CultureInfo.InvariantCulture));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("indexes");
        foreach (var i in info.Indexes)
        {
            w.WriteStartObject();
            w.WriteString("fieldName", i.FieldName);
            w.WriteString("indexName", i.IndexName);
            w.WriteString("metricType", i.MetricType);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("load", info.IsLoaded ? "LoadStateLoaded" : "LoadStateNotLoad");
        w.WriteNumber("shardsNum", info.ShardsNum);
        w.WriteNumber("partitionsNum", info.Partitions.Count);
        w.WriteString("consistencyLevel", info.ConsistencyLevel.ToString());
        w.WriteBoolean("enableDynamicField", schema.EnableDynamicField);
        w.WriteStartArray("properties");
        foreach (var (k, v) in info.Properties)
            WriteKv(w, k, v);
        w.WriteEndArray();
        w.WriteStartArray("aliases");
        foreach (var a in aliases)
            w.WriteStringValue(a.Alias);
        w.WriteEndArray();
        w.WriteNumber("createdTime", (long)(info.CreatedTimestamp >> 18));
        w.WriteEndObject();
        w.WriteString("message", "");
    }

    private static void WriteKv(Utf8JsonWriter w, string key, string value)
    {
        w.WriteStartObject();
        w.WriteString("key", key);
        w.WriteString("value", value);
        w.WriteEndObject();
    }
}
