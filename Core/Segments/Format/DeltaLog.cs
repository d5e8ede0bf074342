using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// Deletes applied to sealed data: row i deletes primary key i at hybrid timestamp Timestamps[i]. Keys are a
/// non-nullable <see cref="FixedColumn{T}"/> of long (Int64 pks) or a <see cref="VarColumn"/> (VarChar pks, UTF-8).
/// </summary>
public sealed class DeltaLog
{
    public DeltaLog(Column primaryKeys, ulong[] timestamps)
    {
        if (primaryKeys.IsNullable)
            throw new ArgumentException("primary keys cannot be nullable", nameof(primaryKeys));
        PkType = primaryKeys switch
        {
            FixedColumn<long> => DataType.Int64,
            VarColumn { DataType: DataType.VarChar or DataType.String } => DataType.VarChar,
            _ => throw new ArgumentException($"primary keys are Int64 or VarChar, not {primaryKeys.DataType}", nameof(primaryKeys)),
        };
        if (primaryKeys.Count != timestamps.Length)
            throw new ArgumentException($"{primaryKeys.Count} keys but {timestamps.Length} timestamps", nameof(timestamps));
        PrimaryKeys = primaryKeys;
        Timestamps = timestamps;
    }

    public DataType PkType { get; }

    public int Count => Timestamps.Length;

    public Column PrimaryKeys { get; }

    public ulong[] Timestamps { get; }

    public long GetInt64Pk(int row) => ((FixedColumn<long>)PrimaryKeys).Get(row);

    public ReadOnlySpan<byte> GetVarCharPk(int row) => ((VarColumn)PrimaryKeys).Get(row);

    public static DeltaLog FromInt64(ReadOnlySpan<long> pks, ReadOnlySpan<ulong> timestamps) =>
        new(new FixedColumn<long>(DataType.Int64, pks.ToArray(), pks.Length, null), timestamps.ToArray());

    public static DeltaLog FromVarChar(IReadOnlyList<string> pks, ReadOnlySpan<ulong> timestamps)
    {
        var column = new VarColumn(DataType.VarChar, pks.Count, nullable: false);
        foreach (var pk in pks)
            column.Append(Encoding.UTF8.GetBytes(pk));
        return new DeltaLog(column, timestamps.ToArray());
    }
}
