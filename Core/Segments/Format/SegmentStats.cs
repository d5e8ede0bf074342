using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>How a field's min/max are stored: integers widen to Int64, Float/Double to Double, strings as UTF-8.</summary>
public enum MinMaxKind : ushort
{
    /// <summary>No min/max: the type has no order we prune on, or every row is null.</summary>
    None = 0,
    Int64 = 1,
    Double = 2,
    Bytes = 3,
}

/// <summary>Per-field facts used to skip a sealed segment without loading it (range filters, pk lookups).</summary>
public sealed class FieldStats
{
    public FieldStats(long fieldId, DataType dataType, long nullCount)
    {
        FieldId = fieldId;
        DataType = dataType;
        NullCount = nullCount;
    }

    public long FieldId { get; }

    public DataType DataType { get; }

    public long NullCount { get; }

    public MinMaxKind Kind { get; private init; }

    public long MinInt64 { get; private init; }

    public long MaxInt64 { get; private init; }

    /// <summary>Min/max of non-NaN values (NaN rows are ignored; a column of only NaN/null has no min/max).</summary>
    public double MinDouble { get; private init; }

    public double MaxDouble { get; private init; }

    /// <summary>UTF-8 bytes of the smallest/largest value in ordinal (byte = code point) order.</summary>
    public ReadOnlyMemory<byte> MinBytes { get; private init; }

    public ReadOnlyMemory<byte> MaxBytes { get; private init; }

    public static FieldStats WithInt64(long fieldId, DataType dataType, long nullCount, long min, long max) =>
        new(fieldId, dataType, nullCount) { Kind = MinMaxKind.Int64, MinInt64 = min, MaxInt64 = max };

    public static FieldStats WithDouble(long fieldId, DataType dataType, long nullCount, double min, double max) =>
        new(fieldId, dataType, nullCount) { Kind = MinMaxKind.Double, MinDouble = min, MaxDouble = max };

    public static FieldStats WithBytes(long fieldId, DataType dataType, long nullCount, ReadOnlyMemory<byte> min, ReadOnlyMemory<byte> max) =>
        new(fieldId, dataType, nullCount) { Kind = MinMaxKind.Bytes, MinBytes = min, MaxBytes = max };
}

public sealed record SegmentStatsOptions
{
    /// <summary>Target false-positive rate of the primary-key bloom filter.</summary>
    public double PkFalsePositiveRate { get; init; } = PkBloomFilter.DefaultFalsePositiveRate;

    /// <summary>Record min/max of VarChar fields (costs the two values' bytes per field).</summary>
    public bool VarCharMinMax { get; init; } = true;
}

/// <summary>A sealed segment's statistics: row count, per-field min/max and null counts, and the pk bloom filter.</summary>
public sealed class SegmentStats
{
    /// <summary>The pk field id used when the schema has no primary key (no bloom filter then).</summary>
    public const long NoPrimaryKey = -1;

    public SegmentStats(long rowCount, long pkFieldId, IReadOnlyList<FieldStats> fields, PkBloomFilter? pkFilter)
    {
        RowCount = rowCount;
        PkFieldId = pkFieldId;
        Fields = fields;
        PkFilter = pkFilter;
    }

    public long RowCount { get; }

    public long PkFieldId { get; }

    /// <summary>One entry per schema field, in schema order.</summary>
    public IReadOnlyList<FieldStats> Fields { get; }

    public PkBloomFilter? PkFilter { get; }

    public FieldStats? Find(long fieldId)
    {
        foreach (var f in Fields)
        {
            if (f.FieldId == fieldId)
                return f;
        }
        return null;
    }

    /// <summary>Computes the stats of every published row of <paramref name="block"/>.</summary>
    public static SegmentStats Compute(ColumnBlock block, SegmentStatsOptions? options = null)
    {
        options ??= new SegmentStatsOptions();
        var schema = block.Schema;
        int rows = block.RowCount;
        var fields = new FieldStats[schema.Fields.Count];
        PkBloomFilter? filter = null;
        long pkFieldId = NoPrimaryKey;
        for (int i = 0; i < fields.Length; i++)
        {
            var field = schema.Fields[i];
            var column = block.Columns[i];
            fields[i] = ComputeField(field, column, rows, options);
            if (field.IsPrimaryKey)
            {
                pkFieldId = field.FieldId;
                filter = BuildFilter(field, column, rows, options.PkFalsePositiveRate);
            }
        }
        return new SegmentStats(rows, pkFieldId, fields, filter);
    }

    private static PkBloomFilter BuildFilter(FieldSchema field, Column column, int rows, double fpRate)
    {
        var filter = new PkBloomFilter(field.DataType == DataType.Int64 ? DataType.Int64 : DataType.VarChar, rows, fpRate);
        switch (column)
        {
            case FixedColumn<long> keys:
                foreach (long k in keys.Values[..rows])
                    filter.Add(k);
                break;
            case VarColumn keys:
                for (int r = 0; r < rows; r++)
                    filter.Add(keys.Get(r));
                break;
            default:
                throw new ArgumentException($"primary key field '{field.Name}' is {field.DataType}; only Int64 and VarChar keys are supported");
        }
        return filter;
    }

    private static FieldStats ComputeField(FieldSchema field, Column column, int rows, SegmentStatsOptions options)
    {
        long nulls = 0;
        if (column.IsNullable)
        {
            for (int r = 0; r < rows; r++)
            {
                if (column.IsNull(r))
                    nulls++;
            }
        }
        var stats = column switch
        {
            FixedColumn<sbyte> c => IntegerStats(field, column, rows, nulls, r => c.Get(r)),
            FixedColumn<short> c => IntegerStats(field, column, rows, nulls, r => c.Get(r)),
            FixedColumn<int> c => IntegerStats(field, column, rows, nulls, r => c.Get(r)),
            FixedColumn<long> c => IntegerStats(field, column, rows, nulls, r => c.Get(r)),
            FixedColumn<float> c => FloatingStats(field, column, rows, nulls, r => c.Get(r)),
            FixedColumn<double> c => FloatingStats(field, column, rows, nulls, r => c.Get(r)),
            VarColumn c when field.DataType.IsString() && options.VarCharMinMax => BytesStats(field, c, rows, nulls),
            _ => null,
        };
        return stats ?? new FieldStats(field.FieldId, field.DataType, nulls);
    }

    // Stats run once per sealed segment, off the query path, so a delegate per field is an acceptable cost.
    private static FieldStats? IntegerStats(FieldSchema field, Column column, int rows, long nulls, Func<int, long> get)
    {
        bool any = false;
        long min = long.MaxValue, max = long.MinValue;
        for (int r = 0; r < rows; r++)
        {
            if (column.IsNull(r))
                continue;
            long v = get(r);
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            any = true;
        }
        return any ? FieldStats.WithInt64(field.FieldId, field.DataType, nulls, min, max) : null;
    }

    private static FieldStats? FloatingStats(FieldSchema field, Column column, int rows, long nulls, Func<int, double> get)
    {
        bool any = false;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
        {
            double v = get(r);
            if (column.IsNull(r) || double.IsNaN(v))
                continue;
            if (v < min)
                min = v;
            if (v > max)
                max = v;
            any = true;
        }
        return any ? FieldStats.WithDouble(field.FieldId, field.DataType, nulls, min, max) : null;
    }

    private static FieldStats? BytesStats(FieldSchema field, VarColumn column, int rows, long nulls)
    {
        int minRow = -1, maxRow = -1;
        for (int r = 0; r < rows; r++)
        {
            if (column.IsNull(r))
                continue;
            var v = column.Get(r);
            if (minRow < 0 || v.SequenceCompareTo(column.Get(minRow)) < 0)
                minRow = r;
            if (maxRow < 0 || v.SequenceCompareTo(column.Get(maxRow)) > 0)
                maxRow = r;
        }
        return minRow < 0
            ? null
            : FieldStats.WithBytes(field.FieldId, field.DataType, nulls, column.Get(minRow).ToArray(), column.Get(maxRow).ToArray());
    }
}
