namespace VectorAspire.Core.Columns;

/// <summary>Copies rows between columns of the same storage type (growing → flush snapshot, segment → results).</summary>
public static class ColumnCopy
{
    public static void AppendRange(Column dst, Column src, int start, int count)
    {
        switch (dst)
        {
            case FixedColumn<bool> d: AppendFixed(d, (FixedColumn<bool>)src, start, count); break;
            case FixedColumn<sbyte> d: AppendFixed(d, (FixedColumn<sbyte>)src, start, count); break;
            case FixedColumn<short> d: AppendFixed(d, (FixedColumn<short>)src, start, count); break;
            case FixedColumn<int> d: AppendFixed(d, (FixedColumn<int>)src, start, count); break;
            case FixedColumn<long> d: AppendFixed(d, (FixedColumn<long>)src, start, count); break;
            case FixedColumn<float> d: AppendFixed(d, (FixedColumn<float>)src, start, count); break;
            case FixedColumn<double> d: AppendFixed(d, (FixedColumn<double>)src, start, count); break;
            case VarColumn d:
                {
                    var s = (VarColumn)src;
                    for (int i = start; i < start + count; i++)
                    {
                        if (s.IsNull(i))
                            d.AppendNull();
                        else
                            d.Append(s.Get(i));
                    }
                    break;
                }
            case VectorColumn d: d.AppendRows((VectorColumn)src, start, count); break;
            default:
                throw new NotSupportedException($"cannot copy a {dst.GetType().Name}");
        }
    }

    public static void AppendRow(Column dst, Column src, int row) => AppendRange(dst, src, row, 1);

    private static void AppendFixed<T>(FixedColumn<T> dst, FixedColumn<T> src, int start, int count) where T : unmanaged
    {
        if (!src.IsNullable)
        {
            dst.AppendRange(src.RawValues.AsSpan(start, count));
            return;
        }
        for (int i = start; i < start + count; i++)
        {
            if (src.IsNull(i))
                dst.AppendNull();
            else
                dst.Append(src.Get(i));
        }
    }

    /// <summary>Raw payload bytes of the rows of a block (values only: vectors, scalars, var data).</summary>
    public static long EstimateBytes(ColumnBlock block)
    {
        long total = 0;
        int n = block.RowCount;
        foreach (var c in block.Columns)
        {
            total += c switch
            {
                FixedColumn<bool> or FixedColumn<sbyte> => n,
                FixedColumn<short> => n * 2L,
                FixedColumn<int> or FixedColumn<float> => n * 4L,
                FixedColumn<long> or FixedColumn<double> => n * 8L,
                VarColumn v => v.Offsets[n] - v.Offsets[0],
                VectorColumn v => (long)n * v.Dim * 4,
                _ => 0,
            };
        }
        return total;
    }
}
