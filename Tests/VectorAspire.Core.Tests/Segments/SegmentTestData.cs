using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Tests.Segments;

/// <summary>Seeded schemas and column data covering every storable type, nullable and not.</summary>
internal static class SegmentTestData
{
    public static readonly DataType[] StorableTypes =
    [
        DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double,
        DataType.VarChar, DataType.String, DataType.Json, DataType.Array, DataType.FloatVector,
    ];

    public static FieldSchema Field(DataType type, bool nullable, long id = 100, int dim = 8) => new()
    {
        FieldId = id,
        Name = $"f_{type}_{(nullable ? "null" : "req")}",
        DataType = type,
        Nullable = nullable,
        Dim = type.IsVector() ? dim : 0,
        MaxLength = 65535,
        ElementType = type == DataType.Array ? DataType.Int64 : DataType.None,
    };

    /// <summary>Every storable type, nullable and not, plus an Int64 pk (id 1) and a VarChar pk-candidate.</summary>
    public static CollectionSchema AllTypesSchema(DataType pkType = DataType.Int64)
    {
        var fields = new List<FieldSchema>
        {
            new() { FieldId = 1, Name = "pk", DataType = pkType, IsPrimaryKey = true, MaxLength = 64 },
        };
        long id = 10;
        foreach (var t in StorableTypes)
        {
            fields.Add(Field(t, false, id++) with { Name = $"{t}_req" });
            fields.Add(Field(t, true, id++) with { Name = $"{t}_null" });
        }
        return new CollectionSchema { Name = "all_types", Fields = fields };
    }

    /// <summary>A column of <paramref name="rows"/> rows; nullable columns get ~1/4 nulls; var values include empties.</summary>
    public static Column MakeColumn(FieldSchema field, int rows, Random rng, int maxVarBytes = 40)
    {
        var column = ColumnFactory.Create(field, rows);
        for (int r = 0; r < rows; r++)
        {
            if (field.Nullable && rng.Next(4) == 0)
            {
                column.AppendNull();
                continue;
            }
            switch (column)
            {
                case FixedColumn<bool> c: c.Append(rng.Next(2) == 1); break;
                case FixedColumn<sbyte> c: c.Append((sbyte)rng.Next(-128, 128)); break;
                case FixedColumn<short> c: c.Append((short)rng.Next(short.MinValue, short.MaxValue + 1)); break;
                case FixedColumn<int> c: c.Append(rng.Next(int.MinValue, int.MaxValue)); break;
                case FixedColumn<long> c: c.Append(rng.NextInt64(long.MinValue, long.MaxValue)); break;
                case FixedColumn<float> c: c.Append((float)(rng.NextDouble() * 2000 - 1000)); break;
                case FixedColumn<double> c: c.Append(rng.NextDouble() * 2e6 - 1e6); break;
                case VectorColumn c:
                {
                    var v = new float[c.Dim];
                    for (int i = 0; i < v.Length; i++)
                        v[i] = (float)rng.NextDouble();
                    c.Append(v);
                    break;
                }
                case VarColumn c: c.Append(VarValue(field.DataType, rng, maxVarBytes)); break;
                default: throw new NotSupportedException(column.GetType().Name);
            }
        }
        return column;
    }

    /// <summary>Unique pks (Int64 or VarChar) for <paramref name="rows"/> rows.</summary>
    public static Column MakePkColumn(FieldSchema pk, int rows, Random rng)
    {
        var column = ColumnFactory.Create(pk, rows);
        long start = rng.NextInt64(-1_000_000, 1_000_000);
        for (int r = 0; r < rows; r++)
        {
            if (column is FixedColumn<long> l)
                l.Append(start + r * 7L);
            else
                ((VarColumn)column).Append(Encoding.UTF8.GetBytes($"key-{start + r * 7L}"));
        }
        return column;
    }

    public static ColumnBlock MakeBlock(CollectionSchema schema, int rows, Random rng)
    {
        var columns = new Column[schema.Fields.Count];
        for (int i = 0; i < columns.Length; i++)
        {
            var f = schema.Fields[i];
            columns[i] = f.IsPrimaryKey ? MakePkColumn(f, rows, rng) : MakeColumn(f, rows, rng);
        }
        return new ColumnBlock(schema, columns, rows);
    }

    private static byte[] VarValue(DataType type, Random rng, int maxBytes)
    {
        int n = rng.Next(5) == 0 ? 0 : rng.Next(1, maxBytes + 1);
        return type switch
        {
            DataType.Json => Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"),
            DataType.Array => Encoding.UTF8.GetBytes($"[{n},{n + 1}]"),
            _ => Encoding.UTF8.GetBytes(new string((char)('a' + rng.Next(26)), n) + (n > 3 ? "é€" : "")),
        };
    }

    public static void AssertColumnsEqual(Column expected, Column actual)
    {
        Assert.Equal(expected.DataType, actual.DataType);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.IsNullable, actual.IsNullable);
        for (int r = 0; r < expected.Count; r++)
            Assert.Equal(expected.IsNull(r), actual.IsNull(r));
        switch (expected)
        {
            case FixedColumn<bool> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<bool>)actual).Values)); break;
            case FixedColumn<sbyte> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<sbyte>)actual).Values)); break;
            case FixedColumn<short> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<short>)actual).Values)); break;
            case FixedColumn<int> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<int>)actual).Values)); break;
            case FixedColumn<long> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<long>)actual).Values)); break;
            case FixedColumn<float> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<float>)actual).Values)); break;
            case FixedColumn<double> e: Assert.True(e.Values.SequenceEqual(((FixedColumn<double>)actual).Values)); break;
            case VectorColumn e:
                Assert.Equal(e.Dim, ((VectorColumn)actual).Dim);
                Assert.True(e.Values.SequenceEqual(((VectorColumn)actual).Values));
                break;
            case VarColumn e:
                var a = (VarColumn)actual;
                Assert.True(e.Offsets.SequenceEqual(a.Offsets));
                Assert.True(e.Data.SequenceEqual(a.Data));
                break;
            default: throw new NotSupportedException(expected.GetType().Name);
        }
    }
}
