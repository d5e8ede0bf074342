using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Expressions;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Tests.Expressions;

/// <summary>
/// The test collection: every scalar type, nullable fields, JSON, Arrays, a vector and the dynamic field. Rows are
/// plain objects (long/int/short/sbyte/float/double/string/bool, JSON text for JSON and Array fields, null = null).
/// </summary>
internal static class ExpressionTestData
{
    public static readonly CollectionSchema Things = new()
    {
        Name = "things",
        EnableDynamicField = true,
        Fields =
        [
            new FieldSchema { FieldId = 100, Name = "id", DataType = DataType.Int64, IsPrimaryKey = true },
            new FieldSchema { FieldId = 101, Name = "b", DataType = DataType.Bool, Nullable = true },
            new FieldSchema { FieldId = 102, Name = "i8", DataType = DataType.Int8 },
            new FieldSchema { FieldId = 103, Name = "i16", DataType = DataType.Int16 },
            new FieldSchema { FieldId = 104, Name = "i32", DataType = DataType.Int32, Nullable = true },
            new FieldSchema { FieldId = 105, Name = "i64", DataType = DataType.Int64, Nullable = true },
            new FieldSchema { FieldId = 106, Name = "f", DataType = DataType.Float, Nullable = true },
            new FieldSchema { FieldId = 107, Name = "d", DataType = DataType.Double },
            new FieldSchema { FieldId = 108, Name = "s", DataType = DataType.VarChar, MaxLength = 64, Nullable = true },
            new FieldSchema { FieldId = 109, Name = "meta", DataType = DataType.Json, Nullable = true },
            new FieldSchema { FieldId = 110, Name = "arr_i", DataType = DataType.Array, ElementType = DataType.Int64, MaxCapacity = 8 },
            new FieldSchema { FieldId = 111, Name = "arr_s", DataType = DataType.Array, ElementType = DataType.VarChar, MaxCapacity = 8, Nullable = true },
            new FieldSchema { FieldId = 112, Name = "vec", DataType = DataType.FloatVector, Dim = 2 },
            new FieldSchema { FieldId = 113, Name = "$meta", DataType = DataType.Json, IsDynamic = true },
        ],
    };

    public static readonly CollectionSchema NoDynamic = Things with
    {
        Name = "plain",
        EnableDynamicField = false,
        Fields = Things.Fields.Where(f => !f.IsDynamic).ToList(),
    };

    public static int Index(CollectionSchema schema, string name)
    {
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].Name == name)
                return i;
        }
        throw new ArgumentException(name);
    }

    public static ColumnBlock Build(CollectionSchema schema, IReadOnlyList<object?[]> rows)
    {
        var block = new ColumnBlock(schema, Math.Max(1, rows.Count));
        foreach (var row in rows)
        {
            for (int c = 0; c < schema.Fields.Count; c++)
                Append(block.Columns[c], schema.Fields[c], row[c]);
        }
        block.PublishRows(rows.Count);
        return block;
    }

    private static void Append(Column column, FieldSchema field, object? value)
    {
        if (value is null)
        {
            column.AppendNull();
            return;
        }
        switch (column)
        {
            case FixedColumn<bool> c: c.Append((bool)value); break;
            case FixedColumn<sbyte> c: c.Append((sbyte)value); break;
            case FixedColumn<short> c: c.Append((short)value); break;
            case FixedColumn<int> c: c.Append((int)value); break;
            case FixedColumn<long> c: c.Append((long)value); break;
            case FixedColumn<float> c: c.Append((float)value); break;
            case FixedColumn<double> c: c.Append((double)value); break;
            case VarColumn c: c.Append(Encoding.UTF8.GetBytes((string)value)); break;
            case VectorColumn c: c.Append((float[])value); break;
            default: throw new InvalidOperationException(field.Name);
        }
    }

    /// <summary>A row with sensible non-null defaults, overridden by name.</summary>
    public static object?[] Row(CollectionSchema schema, params (string Name, object? Value)[] values)
    {
        var row = new object?[schema.Fields.Count];
        for (int i = 0; i < row.Length; i++)
        {
            var f = schema.Fields[i];
            row[i] = f.DataType switch
            {
                DataType.Bool => false,
                DataType.Int8 => (sbyte)0,
                DataType.Int16 => (short)0,
                DataType.Int32 => 0,
                DataType.Int64 => 0L,
                DataType.Float => 0f,
                DataType.Double => 0d,
                DataType.VarChar => "",
                DataType.Json => "{}",
                DataType.Array => "[]",
                DataType.FloatVector => new float[f.Dim],
                _ => null,
            };
        }
        foreach (var (name, value) in values)
            row[Index(schema, name)] = value;
        return row;
    }

    public static List<int> Matches(BoundFilter filter, ColumnBlock block)
    {
        var bits = new ulong[(block.RowCount + 63) / 64 + 1];
        Array.Fill(bits, ulong.MaxValue);
        filter.Evaluate(block, bits);
        var rows = new List<int>();
        for (int i = 0; i < bits.Length * 64; i++)
        {
            if ((bits[i >> 6] & (1UL << i)) != 0)
                rows.Add(i);
        }
        return rows;
    }
}
