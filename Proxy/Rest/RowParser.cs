using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Schema;

namespace VectorAspire.Proxy.Rest;

/// <summary>
/// Turns REST insert/upsert rows (an array of JSON objects) into a column block over the full schema, checking
/// every value: type, range, dimension, max_length, max_capacity, missing and unknown fields. Keys that are not
/// schema fields go to the dynamic field ($meta) when it is enabled. Errors name the row and the field.
/// </summary>
public static class RowParser
{
    public static int CountRows(JsonElement data) => data.ValueKind switch
    {
        JsonValueKind.Array => data.GetArrayLength(),
        JsonValueKind.Object => 1,
        _ => throw new MilvusException(ErrorCodes.ParameterInvalid, "'data' must be an array of row objects"),
    };

    /// <param name="firstAutoId">First id to assign when the primary key is auto-generated (ignored otherwise).</param>
    /// <param name="requirePk">Upserts must carry the primary key even when it is auto-generated.</param>
    public static ColumnBlock Parse(CollectionInfo info, JsonElement data, long firstAutoId, bool requirePk)
    {
        var schema = info.Schema;
        int n = CountRows(data);
        if (n == 0)
            throw new MilvusException(ErrorCodes.ParameterInvalid, "'data' is empty: send at least one row");
        var block = new ColumnBlock(schema, n);
        var defaults = new JsonElement?[schema.Fields.Count];
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            if (schema.Fields[f].DefaultValue is { } dv)
                defaults[f] = JsonDocument.Parse(dv.ToJsonString()).RootElement;
        }
        int dynamicIndex = -1;
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            if (schema.Fields[f].IsDynamic)
                dynamicIndex = f;
        }
        var metaBuffer = dynamicIndex >= 0 ? new ArrayBufferWriter<byte>(256) : null;
        var vectorScratch = new float[schema.Fields.Where(f => f.DataType.IsVector()).Select(f => f.Dim).DefaultIfEmpty(0).Max()];
        int rowIndex = 0;
        foreach (var row in data.ValueKind == JsonValueKind.Array ? data.EnumerateArray() : Single(data))
        {
            if (row.ValueKind != JsonValueKind.Object)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {rowIndex} is not a JSON object");
            for (int f = 0; f < schema.Fields.Count; f++)
            {
                var field = schema.Fields[f];
                if (field.IsDynamic)
                    continue;
                var column = block.Columns[f];
                bool present = row.TryGetProperty(field.Name, out var value) && value.ValueKind != JsonValueKind.Null;
                if (field.IsPrimaryKey && field.AutoId && !requirePk)
                {
                    if (row.TryGetProperty(field.Name, out _))
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {rowIndex}: primary key '{field.Name}' is auto-generated (autoID); remove it from the rows");
                    ((FixedColumn<long>)column).Append(firstAutoId + rowIndex);
                    continue;
                }
                if (!present)
                {
                    if (defaults[f] is { } dv)
                    {
                        AppendValue(column, field, dv, rowIndex, vectorScratch);
                        continue;
                    }
                    if (field.Nullable)
                    {
                        column.AppendNull();
                        continue;
                    }
                    throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {rowIndex}: field '{field.Name}' is missing (it is not nullable and has no default value)");
                }
                AppendValue(column, field, value, rowIndex, vectorScratch);
            }
            AppendDynamic(info, block, row, rowIndex, dynamicIndex, metaBuffer);
            rowIndex++;
        }
        block.PublishRows(n);
        return block;
    }

    private static IEnumerable<JsonElement> Single(JsonElement e)
    {
        yield return e;
    }

    private static void AppendDynamic(CollectionInfo info, ColumnBlock block, JsonElement row, int rowIndex, int dynamicIndex, ArrayBufferWriter<byte>? buffer)
    {
        var schema = info.Schema;
        // Without a dynamic field, keys outside the schema are errors rather than $meta entries.
        if (dynamicIndex < 0)
        {
            foreach (var p in row.EnumerateObject())
            {
                if (schema.FindField(p.Name) is null)
                    throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {rowIndex}: field '{p.Name}' is not in the schema of collection '{info.Name}' and the collection has no dynamic field");
            }
            return;
        }
        buffer!.Clear();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var p in row.EnumerateObject())
            {
                if (p.Name == CollectionSchema.DynamicFieldName)
                    throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {rowIndex}: '$meta' cannot be set directly; put dynamic keys at the top level of the row");
                if (schema.FindField(p.Name) is not null)
                    continue;
                writer.WritePropertyName(p.Name);
                p.Value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        ((VarColumn)block.Columns[dynamicIndex]).Append(buffer.WrittenSpan);
    }

    private static void AppendValue(Column column, FieldSchema field, JsonElement value, int row, float[] scratch)
    {
        switch (field.DataType)
        {
            case DataType.Bool:
                ((FixedColumn<bool>)column).Append(value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Wrong(row, field, "a boolean", value),
                });
                break;
            case DataType.Int8:
                ((FixedColumn<sbyte>)column).Append(checked((sbyte)Integer(value, row, field, sbyte.MinValue, sbyte.MaxValue)));
                break;
            case DataType.Int16:
                ((FixedColumn<short>)column).Append(checked((short)Integer(value, row, field, short.MinValue, short.MaxValue)));
                break;
            case DataType.Int32:
                ((FixedColumn<int>)column).Append(checked((int)Integer(value, row, field, int.MinValue, int.MaxValue)));
                break;
            case DataType.Int64:
                ((FixedColumn<long>)column).Append(Integer(value, row, field, long.MinValue, long.MaxValue));
                break;
            case DataType.Float:
                {
                    double d = Number(value, row, field);
                    if (!float.IsFinite((float)d))
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' value {d} is out of the Float range");
                    ((FixedColumn<float>)column).Append((float)d);
                    break;
                }
            case DataType.Double:
                ((FixedColumn<double>)column).Append(Number(value, row, field));
                break;
            case DataType.VarChar:
            case DataType.String:
                {
                    if (value.ValueKind != JsonValueKind.String)
                        throw Wrong(row, field, "a string", value);
                    var utf8 = Encoding.UTF8.GetBytes(value.GetString()!);
                    if (utf8.Length > field.MaxLength)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: the length ({utf8.Length} bytes) of VarChar field '{field.Name}' exceeds max_length ({field.MaxLength})");
                    ((VarColumn)column).Append(utf8);
                    break;
                }
            case DataType.Json:
                ((VarColumn)column).Append(JsonMarshal.GetRawUtf8Value(value));
                break;
            case DataType.Array:
                ValidateArray(value, field, row);
                ((VarColumn)column).Append(JsonMarshal.GetRawUtf8Value(value));
                break;
            case DataType.FloatVector:
                {
                    if (value.ValueKind != JsonValueKind.Array)
                        throw Wrong(row, field, $"an array of {field.Dim} floats", value);
                    int len = value.GetArrayLength();
                    if (len != field.Dim)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: the dim ({len}) of field '{field.Name}' does not match the schema dim ({field.Dim})");
                    int i = 0;
                    foreach (var x in value.EnumerateArray())
                    {
                        if (x.ValueKind != JsonValueKind.Number || !x.TryGetSingle(out float f) || !float.IsFinite(f))
                            throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' element {i} is not a finite float");
                        scratch[i++] = f;
                    }
                    ((VectorColumn)column).Append(scratch.AsSpan(0, len));
                    break;
                }
            default:
                throw new MilvusException(ErrorCodes.ParameterInvalid, $"data type {field.DataType.Name()} of field '{field.Name}' is not supported");
        }
    }

    private static void ValidateArray(JsonElement value, FieldSchema field, int row)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Wrong(row, field, $"an array of {field.ElementType.Name()}", value);
        int len = value.GetArrayLength();
        if (len > field.MaxCapacity)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: array field '{field.Name}' has {len} elements, more than max_capacity ({field.MaxCapacity})");
        foreach (var e in value.EnumerateArray())
        {
            bool ok = field.ElementType switch
            {
                DataType.Bool => e.ValueKind is JsonValueKind.True or JsonValueKind.False,
                DataType.Int8 => e.TryGetInt64(out long a) && a is >= sbyte.MinValue and <= sbyte.MaxValue,
                DataType.Int16 => e.TryGetInt64(out long b) && b is >= short.MinValue and <= short.MaxValue,
                DataType.Int32 => e.TryGetInt64(out long c) && c is >= int.MinValue and <= int.MaxValue,
                DataType.Int64 => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out _),
                DataType.Float or DataType.Double => e.ValueKind == JsonValueKind.Number,
                DataType.VarChar => e.ValueKind == JsonValueKind.String && Encoding.UTF8.GetByteCount(e.GetString()!) <= field.MaxLength,
                _ => false,
            };
            if (!ok)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: array field '{field.Name}' has an element {e.GetRawText()} that is not a valid {field.ElementType.Name()}" + (field.ElementType == DataType.VarChar ? $" of at most {field.MaxLength} bytes" : ""));
        }
    }

    private static long Integer(JsonElement value, int row, FieldSchema field, long min, long max)
    {
        long v;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!value.TryGetInt64(out v))
                throw Wrong(row, field, $"an integer", value);
        }
        else if (value.ValueKind == JsonValueKind.String && field.DataType == DataType.Int64
            && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out v))
        {
        }
        else
        {
            throw Wrong(row, field, "an integer", value);
        }
        if (v < min || v > max)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: value {v} is out of range for {field.DataType.Name()} field '{field.Name}' [{min}, {max}]");
        return v;
    }

    private static double Number(JsonElement value, int row, FieldSchema field)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double d))
            throw Wrong(row, field, "a number", value);
        return d;
    }

    private static MilvusException Wrong(int row, FieldSchema field, string expected, JsonElement value)
    {
        string shown = value.GetRawText();
        if (shown.Length > 40)
            shown = shown[..40] + "...";
        return new(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' ({field.DataType.Name()}) must be {expected}, got {shown}");
    }
}
