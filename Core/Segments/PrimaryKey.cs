using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments;

/// <summary>An Int64 or VarChar primary key value.</summary>
public readonly record struct PrimaryKey(long Int, string? Str)
{
    public static PrimaryKey Of(long value) => new(value, null);

    public static PrimaryKey Of(string value) => new(0, value);

    public bool IsString => Str is not null;

    /// <summary>Reads row <paramref name="row"/> of a primary-key column.</summary>
    public static PrimaryKey FromColumn(Column column, int row) => column switch
    {
        FixedColumn<long> l => new(l.Get(row), null),
        VarColumn v => new(0, Encoding.UTF8.GetString(v.Get(row))),
        _ => throw new InvalidOperationException($"{column.DataType} cannot be a primary key"),
    };

    /// <summary>Shard of this key: a stable hash (not string.GetHashCode, which is randomised per process).</summary>
    public int Shard(int shards)
    {
        if (shards <= 1)
            return 0;
        ulong h;
        if (Str is null)
        {
            h = Mix((ulong)Int);
        }
        else
        {
            h = 1469598103934665603UL;
            foreach (char c in Str)
                h = (h ^ c) * 1099511628211UL;
            h = Mix(h);
        }
        return (int)(h % (ulong)shards);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    public void AppendTo(Column column)
    {
        switch (column)
        {
            case FixedColumn<long> l: l.Append(Int); break;
            case VarColumn v: v.Append(Encoding.UTF8.GetBytes(Str ?? "")); break;
            default: throw new InvalidOperationException($"{column.DataType} cannot be a primary key");
        }
    }

    public override string ToString() => Str ?? Int.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Column NewColumn(DataType pkType, int capacity) => pkType == DataType.Int64
        ? new FixedColumn<long>(DataType.Int64, capacity, false)
        : new VarColumn(DataType.VarChar, capacity, false);
}
