using System.Numerics;
using VectorAspire.Core.Columns;

namespace VectorAspire.Core.Expressions;

/// <summary>VarChar field compared with a constant (UTF-8 bytes, ordinal).</summary>
internal sealed class StringComparePredicate(int column, BinaryOp op, byte[] value) : LeafPredicate([column])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        switch (op)
        {
            case BinaryOp.Lt: Run<LtOp>(ref ctx, data); break;
            case BinaryOp.Le: Run<LeOp>(ref ctx, data); break;
            case BinaryOp.Gt: Run<GtOp>(ref ctx, data); break;
            case BinaryOp.Ge: Run<GeOp>(ref ctx, data); break;
            case BinaryOp.Eq: Run<EqOp>(ref ctx, data); break;
            default: Run<NeOp>(ref ctx, data); break;
        }
    }

    private void Run<TOp>(ref EvalContext ctx, Span<ulong> data) where TOp : struct, ICompareOp
    {
        var col = (VarColumn)ctx.Block.Columns[column];
        ReadOnlySpan<byte> v = value;
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (TOp.Test(col.Get(i).SequenceCompareTo(v)))
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>Two VarChar fields compared with each other.</summary>
internal sealed class StringColumnsPredicate(int left, BinaryOp op, int right) : LeafPredicate([left, right])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var l = (VarColumn)ctx.Block.Columns[left];
        var r = (VarColumn)ctx.Block.Columns[right];
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (CompareOps.Test(op, l.Get(i).SequenceCompareTo(r.Get(i))))
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>Sorted UTF-8 constants with an allocation-free binary search.</summary>
internal sealed class Utf8Set
{
    private readonly byte[][] _values;

    public Utf8Set(IEnumerable<byte[]> values)
    {
        var list = new List<byte[]>(values);
        list.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        _values = list.ToArray();
    }

    public bool Contains(ReadOnlySpan<byte> v)
    {
        int lo = 0, hi = _values.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = v.SequenceCompareTo(_values[mid]);
            if (c == 0)
                return true;
            if (c < 0)
                hi = mid - 1;
            else
                lo = mid + 1;
        }
        return false;
    }
}

internal sealed class StringInPredicate(int column, Utf8Set set) : LeafPredicate([column])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var col = (VarColumn)ctx.Block.Columns[column];
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (set.Contains(col.Get(i)))
                data[i >> 6] |= 1UL << i;
        }
    }
}

internal sealed class StringLikePredicate(int column, LikePattern pattern) : LeafPredicate([column])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var col = (VarColumn)ctx.Block.Columns[column];
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (pattern.IsMatch(col.Get(i)))
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>Bool field: rows whose value is in the accepted set ({true}, {false}, both or neither).</summary>
internal sealed class BoolValuePredicate(int column, bool acceptTrue, bool acceptFalse) : LeafPredicate([column])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var values = ((FixedColumn<bool>)ctx.Block.Columns[column]).RawValues.AsSpan(0, ctx.Rows);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] ? acceptTrue : acceptFalse)
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>Two Bool fields compared with == or != (false &lt; true for ordering operators).</summary>
internal sealed class BoolColumnsPredicate(int left, BinaryOp op, int right) : LeafPredicate([left, right])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var l = ((FixedColumn<bool>)ctx.Block.Columns[left]).RawValues;
        var r = ((FixedColumn<bool>)ctx.Block.Columns[right]).RawValues;
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (CompareOps.Test(op, l[i].CompareTo(r[i])))
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>
/// Fast path for a fixed-width numeric field against a constant that is exactly representable in the field's own
/// type: compares in T directly, 64 rows per output word, without materialising an Int64/double copy.
/// </summary>
internal sealed class FixedConstComparePredicate<T>(int column, BinaryOp op, T value) : LeafPredicate([column])
    where T : unmanaged, IComparisonOperators<T, T, bool>
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        switch (op)
        {
            case BinaryOp.Lt: Run<LtOp>(ref ctx, data); break;
            case BinaryOp.Le: Run<LeOp>(ref ctx, data); break;
            case BinaryOp.Gt: Run<GtOp>(ref ctx, data); break;
            case BinaryOp.Ge: Run<GeOp>(ref ctx, data); break;
            case BinaryOp.Eq: Run<EqOp>(ref ctx, data); break;
            default: Run<NeOp>(ref ctx, data); break;
        }
    }

    private void Run<TOp>(ref EvalContext ctx, Span<ulong> data) where TOp : struct, ICompareOp
    {
        ReadOnlySpan<T> values = ((FixedColumn<T>)ctx.Block.Columns[column]).RawValues.AsSpan(0, ctx.Rows);
        T v = value;
        for (int w = 0; w < ctx.Words; w++)
        {
            int start = w << 6;
            int end = Math.Min(values.Length, start + 64);
            ulong bits = 0;
            for (int i = start; i < end; i++)
            {
                if (TOp.Test(values[i], v))
                    bits |= 1UL << i;
            }
            data[w] = bits;
        }
    }
}
