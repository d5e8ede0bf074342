using System.Globalization;
using System.Text.Json.Nodes;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Schema;
using PC = VectorAspire.Protos.Common;
using PS = VectorAspire.Protos.Schema;

namespace VectorAspire.Proxy.Grpc;

/// <summary>Converts collection schemas between the Milvus wire messages and the engine's records.</summary>
public static class SchemaConverter
{
    /// <summary>The schema of a CreateCollection request (serialized CollectionSchema, no field ids yet).</summary>
    public static CollectionSchema FromProto(PS.CollectionSchema proto, string collectionName)
    {
        if (proto.Functions.Count > 0)
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, "collection functions (e.g. BM25, text embedding) are not supported yet");
        if (proto.StructArrayFields.Count > 0)
            throw new MilvusException(ErrorCodes.ServiceUnimplemented, "struct array fields are not supported yet");
        var fields = new List<FieldSchema>(proto.Fields.Count);
        foreach (var f in proto.Fields)
        {
            if (f.IsDynamic)
                continue;
            if (string.IsNullOrEmpty(f.Name))
                throw MilvusErrors.Invalid("every field needs a name");
            if (f.IsClusteringKey)
                throw new MilvusException(ErrorCodes.ServiceUnimplemented, $"field '{f.Name}': clustering keys are not supported yet");
            var type = (DataType)(int)f.DataType;
            if (!Enum.IsDefined(type) || type == DataType.None)
                throw MilvusErrors.Invalid($"field '{f.Name}': unknown data type {(int)f.DataType} ({f.DataType})");
            var elementType = (DataType)(int)f.ElementType;
            fields.Add(new FieldSchema
            {
                FieldId = 0,
                Name = f.Name,
                DataType = type,
                Description = f.Description,
                IsPrimaryKey = f.IsPrimaryKey,
                AutoId = f.IsPrimaryKey && (f.AutoID || proto.AutoID),
                IsPartitionKey = f.IsPartitionKey,
                Nullable = f.Nullable,
                DefaultValue = DefaultValue(f),
                Dim = TypeParam(f, "dim"),
                MaxLength = TypeParam(f, "max_length"),
                ElementType = type == DataType.Array ? elementType : DataType.None,
                MaxCapacity = TypeParam(f, "max_capacity"),
            });
        }
        return new CollectionSchema
        {
            Name = collectionName,
            Description = proto.Description,
            EnableDynamicField = proto.EnableDynamicField,
            Fields = fields,
        };
    }

    private static int TypeParam(PS.FieldSchema f, string key)
    {
        foreach (var kv in f.TypeParams)
        {
            if (kv.Key == key)
            {
                if (int.TryParse(kv.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    return v;
                throw MilvusErrors.Invalid($"field '{f.Name}': type param {key} must be an integer, got '{kv.Value}'");
            }
        }
        return 0;
    }

    private static JsonNode? DefaultValue(PS.FieldSchema f)
    {
        if (f.DefaultValue is not { } v)
            return null;
        return v.DataCase switch
        {
            PS.ValueField.DataOneofCase.BoolData => JsonValue.Create(v.BoolData),
            PS.ValueField.DataOneofCase.IntData => JsonValue.Create(v.IntData),
            PS.ValueField.DataOneofCase.LongData => JsonValue.Create(v.LongData),
            PS.ValueField.DataOneofCase.FloatData => JsonValue.Create((double)v.FloatData),
            PS.ValueField.DataOneofCase.DoubleData => JsonValue.Create(v.DoubleData),
            PS.ValueField.DataOneofCase.StringData => f.DataType == PS.DataType.Json ? JsonNode.Parse(v.StringData) : JsonValue.Create(v.StringData),
            PS.ValueField.DataOneofCase.BytesData => JsonNode.Parse(v.BytesData.Span),
            _ => null,
        };
    }

    /// <summary>
    /// The schema as Milvus's DescribeCollection returns it: user fields with their ids; the hidden dynamic field
    /// ($meta) is left out, as Milvus does (enable_dynamic_field tells the SDKs to pack extra keys into $meta).
    /// </summary>
    public static PS.CollectionSchema ToProto(CollectionInfo info)
    {
        var schema = info.Schema;
        var proto = new PS.CollectionSchema
        {
            Name = info.Name,
            Description = schema.Description,
            AutoID = schema.PrimaryKey.AutoId,
            EnableDynamicField = schema.EnableDynamicField,
            DbName = info.DbName,
        };
        foreach (var (k, v) in info.Properties)
            proto.Properties.Add(new PC.KeyValuePair { Key = k, Value = v });
        foreach (var f in schema.Fields)
        {
            if (!f.IsDynamic)
                proto.Fields.Add(ToProto(f));
        }
        return proto;
    }

    public static PS.FieldSchema ToProto(FieldSchema f)
    {
        var p = new PS.FieldSchema
        {
            FieldID = f.FieldId,
            Name = f.Name,
            IsPrimaryKey = f.IsPrimaryKey,
            Description = f.Description,
            DataType = (PS.DataType)(int)f.DataType,
            AutoID = f.AutoId,
            ElementType = (PS.DataType)(int)f.ElementType,
            IsDynamic = f.IsDynamic,
            IsPartitionKey = f.IsPartitionKey,
            Nullable = f.Nullable,
            State = PS.FieldState.FieldCreated,
        };
        if (f.Dim > 0)
            p.TypeParams.Add(new PC.KeyValuePair { Key = "dim", Value = f.Dim.ToString(CultureInfo.InvariantCulture) });
        if (f.MaxLength > 0)
            p.TypeParams.Add(new PC.KeyValuePair { Key = "max_length", Value = f.MaxLength.ToString(CultureInfo.InvariantCulture) });
        if (f.MaxCapacity > 0)
            p.TypeParams.Add(new PC.KeyValuePair { Key = "max_capacity", Value = f.MaxCapacity.ToString(CultureInfo.InvariantCulture) });
        if (f.DefaultValue is { } dv)
            p.DefaultValue = ToValueField(f, dv);
        return p;
    }

    private static PS.ValueField? ToValueField(FieldSchema f, JsonNode dv)
    {
        try
        {
            return f.DataType switch
            {
                DataType.Bool => new PS.ValueField { BoolData = dv.GetValue<bool>() },
                DataType.Int8 or DataType.Int16 or DataType.Int32 => new PS.ValueField { IntData = dv.GetValue<int>() },
                DataType.Int64 => new PS.ValueField { LongData = dv.GetValue<long>() },
                DataType.Float => new PS.ValueField { FloatData = dv.GetValue<float>() },
                DataType.Double => new PS.ValueField { DoubleData = dv.GetValue<double>() },
                DataType.VarChar or DataType.String => new PS.ValueField { StringData = dv.GetValue<string>() },
                DataType.Json => new PS.ValueField { BytesData = Google.Protobuf.ByteString.CopyFromUtf8(dv.ToJsonString()) },
                _ => null,
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
