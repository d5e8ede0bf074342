using System.Text;
using System.Text.Json;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;

namespace VectorAspire.Proxy.Rest;

/// <summary>
/// Writes result rows as Milvus REST v2 does: one object per row keyed by field name, dynamic keys flattened to the
/// top level, JSON fields as a string holding the JSON text (Milvus's convention), arrays as JSON arrays.
/// </summary>
public static class ResultWriter
{
    public static void WriteRowFields(Utf8JsonWriter writer, CollectionSchema schema, ShardQueryResult result, int row, OutputSelection selection)
    {
        for (int c = 0; c < result.FieldIndexes.Count; c++)
        {
            var field = schema.Fields[result.FieldIndexes[c]];
            var column = result.Columns[c];
            if (field.IsDynamic)
            {
                WriteDynamic(writer, (VarColumn)column, row, selection);
                continue;
            }
            writer.WritePropertyName(field.Name);
            WriteValue(writer, field, column, row);
        }
    }

    private static void WriteDynamic(Utf8JsonWriter writer, VarColumn column, int row, OutputSelection selection)
    {
        if (column.IsNull(row))
            return;
        var bytes = column.Get(row);
        if (bytes.Length == 0)
            return;
        var reader = new Utf8JsonReader(bytes);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            return;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (!selection.AllDynamic && !Contains(selection.DynamicKeys, p.Name))
                continue;
            writer.WritePropertyName(p.Name);
            p.Value.WriteTo(writer);
        }
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (var s in list)
        {
            if (s == value)
                return true;
        }
        return false;
    }

    public static void WriteValue(Utf8JsonWriter writer, FieldSchema field, Column column, int row)
    {
        if (column.IsNull(row))
        {
            writer.WriteNullValue();
            return;
        }
        switch (column)
        {
            case FixedColumn<bool> b: writer.WriteBooleanValue(b.Get(row)); break;
            case FixedColumn<sbyte> i8: writer.WriteNumberValue(i8.Get(row)); break;
            case FixedColumn<short> i16: writer.WriteNumberValue(i16.Get(row)); break;
            case FixedColumn<int> i32: writer.WriteNumberValue(i32.Get(row)); break;
            case FixedColumn<long> i64: writer.WriteNumberValue(i64.Get(row)); break;
            case FixedColumn<float> f: writer.WriteNumberValue(f.Get(row)); break;
            case FixedColumn<double> d: writer.WriteNumberValue(d.Get(row)); break;
            case VarColumn v when field.DataType == DataType.Json:
                writer.WriteStringValue(Encoding.UTF8.GetString(v.Get(row)));
                break;
            case VarColumn v when field.DataType == DataType.Array:
                writer.WriteRawValue(v.Get(row), skipInputValidation: true);
                break;
            case VarColumn v: writer.WriteStringValue(v.Get(row)); break;
            case VectorColumn vec:
                writer.WriteStartArray();
                foreach (var x in vec.Row(row))
                    writer.WriteNumberValue(x);
                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"cannot write a {column.GetType().Name}");
        }
    }
}
