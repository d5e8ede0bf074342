using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Columns;

/// <summary>
/// A contiguous block of rows: one <see cref="Column"/> per schema field, in <see cref="CollectionSchema.Fields"/>
/// order. Growing segments are a list of fixed-capacity blocks; a sealed segment is one block.
/// Filter evaluation and vector search always run over one block at a time.
/// </summary>
public sealed class ColumnBlock
{
    private volatile int _rowCount;

    public ColumnBlock(CollectionSchema schema, int capacity)
    {
        Schema = schema;
        Capacity = capacity;
        Columns = new Column[schema.Fields.Count];
        for (int i = 0; i < Columns.Length; i++)
            Columns[i] = ColumnFactory.Create(schema.Fields[i], capacity);
    }

    /// <summary>Wraps fully loaded columns (sealed segments).</summary>
    public ColumnBlock(CollectionSchema schema, Column[] columns, int rowCount)
    {
        if (columns.Length != schema.Fields.Count)
            throw new ArgumentException("one column per schema field is required", nameof(columns));
        foreach (var c in columns)
        {
            if (c.Count != rowCount)
                throw new ArgumentException("every column must hold rowCount rows", nameof(columns));
        }
        Schema = schema;
        Capacity = rowCount;
        Columns = columns;
        _rowCount = rowCount;
    }

    public CollectionSchema Schema { get; }

    public int Capacity { get; }

    /// <summary>Rows visible to readers. Published after every column of those rows is written.</summary>
    public int RowCount => _rowCount;

    public Column[] Columns { get; }

    public bool IsFull => _rowCount >= Capacity;

    /// <summary>
    /// Publishes another column with the same type and rows for field <paramref name="fieldIndex"/> (a sealed
    /// segment moving its vectors between its own array and a loaded index). Readers holding the old column keep
    /// reading it; the next read of <see cref="Columns"/> sees the new one.
    /// </summary>
    internal void ReplaceColumn(int fieldIndex, Column column)
    {
        var current = Columns[fieldIndex];
        if (column.GetType() != current.GetType() || column.Count != current.Count || column.DataType != current.DataType)
            throw new ArgumentException($"a replacement for field {fieldIndex} must be a {current.GetType().Name} of {current.Count} rows", nameof(column));
        Volatile.Write(ref Columns[fieldIndex], column);
    }

    /// <summary>Makes rows up to the columns' current count visible (single writer).</summary>
    public void PublishRows(int rowCount)
    {
        if (rowCount < _rowCount || rowCount > Capacity)
            throw new ArgumentOutOfRangeException(nameof(rowCount));
        _rowCount = rowCount;
    }

    public long MemoryBytes
    {
        get
        {
            long total = 0;
            foreach (var c in Columns)
                total += c.MemoryBytes;
            return total;
        }
    }
}

public static class ColumnFactory
{
    /// <summary>Creates an empty column of the right storage type for a field.</summary>
    public static Column Create(FieldSchema field, int capacity)
    {
        bool nullable = field.Nullable;
        return field.DataType switch
        {
            DataType.Bool => new FixedColumn<bool>(field.DataType, capacity, nullable),
            DataType.Int8 => new FixedColumn<sbyte>(field.DataType, capacity, nullable),
            DataType.Int16 => new FixedColumn<short>(field.DataType, capacity, nullable),
            DataType.Int32 => new FixedColumn<int>(field.DataType, capacity, nullable),
            DataType.Int64 => new FixedColumn<long>(field.DataType, capacity, nullable),
            DataType.Float => new FixedColumn<float>(field.DataType, capacity, nullable),
            DataType.Double => new FixedColumn<double>(field.DataType, capacity, nullable),
            DataType.VarChar or DataType.String or DataType.Json or DataType.Array
                => new VarColumn(field.DataType, capacity, nullable),
            DataType.FloatVector => new VectorColumn(field.DataType, field.Dim, capacity, nullable),
            _ => throw new NotSupportedException($"data type {field.DataType} is not supported"),
        };
    }
}
