using System.Buffers;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// Numeric comparison: a vector source against a constant or another vector source. Mixed Int64/double comparisons
/// are exact (<see cref="CompareOps.Compare(long, double)"/>).
/// </summary>
internal sealed class NumComparePredicate : LeafPredicate
{
    private readonly NumSource _left;
    private readonly BinaryOp _op;
    private readonly NumSource? _right;
    private readonly bool _constIsFloat;
    private readonly long _constInt;
    private readonly double _constFloat;

    private NumComparePredicate(NumSource left, BinaryOp op, NumSource? right, bool constIsFloat, long constInt, double constFloat)
        : base(CollectColumns(left, right))
    {
        _left = left;
        _op = op;
        _right = right;
        _constIsFloat = constIsFloat;
        _constInt = constInt;
        _constFloat = constFloat;
    }

    public static NumComparePredicate WithConstant(NumSource left, BinaryOp op, bool isFloat, long i, double d) =>
        new(left, op, null, isFloat, i, d);

    public static NumComparePredicate WithSource(NumSource left, BinaryOp op, NumSource right) =>
        new(left, op, right, false, 0, 0);

    private static int[] CollectColumns(NumSource left, NumSource? right)
    {
        var cols = new List<int>();
        left.CollectColumns(cols);
        right?.CollectColumns(cols);
        return cols.ToArray();
    }

    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        switch (_op)
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
        int n = ctx.Rows;
        bool lf = _left.IsFloat;
        bool rf = _right is null ? _constIsFloat : _right.IsFloat;
        long[] li = ArrayPool<long>.Shared.Rent(lf ? 1 : n);
        double[] ld = ArrayPool<double>.Shared.Rent(lf ? n : 1);
        long[] ri = ArrayPool<long>.Shared.Rent(_right is null || rf ? 1 : n);
        double[] rd = ArrayPool<double>.Shared.Rent(_right is not null && rf ? n : 1);
        ulong[] lp = ArrayPool<ulong>.Shared.Rent(ctx.Words);
        ulong[] rp = ArrayPool<ulong>.Shared.Rent(ctx.Words);
        try
        {
            _left.Fill(ref ctx, li, ld, lp);
            var present = lp.AsSpan(0, ctx.Words);
            bool rConst = _right is null;
            if (_right is null)
            {
                ri[0] = _constInt;
                rd[0] = _constFloat;
            }
            else
            {
                _right.Fill(ref ctx, ri, rd, rp);
                for (int w = 0; w < present.Length; w++)
                    present[w] &= rp[w];
            }
            if (!lf && !rf)
                Loop<TOp>(li, ri, rConst, n, data);
            else if (!lf)
                Loop<TOp>(li, rd, rConst, n, data);
            else if (!rf)
                Loop<TOp>(ld, ri, rConst, n, data);
            else
                Loop<TOp>(ld, rd, rConst, n, data);
            for (int w = 0; w < present.Length; w++)
                data[w] &= present[w];
        }
        finally
        {
            ArrayPool<long>.Shared.Return(li);
            ArrayPool<double>.Shared.Return(ld);
            ArrayPool<long>.Shared.Return(ri);
            ArrayPool<double>.Shared.Return(rd);
            ArrayPool<ulong>.Shared.Return(lp);
            ArrayPool<ulong>.Shared.Return(rp);
        }
    }

    private static void Loop<TOp>(long[] l, long[] r, bool rConst, int n, Span<ulong> data) where TOp : struct, ICompareOp
    {
        for (int i = 0; i < n; i++)
        {
            if (TOp.Test(l[i], r[rConst ? 0 : i]))
                data[i >> 6] |= 1UL << i;
        }
    }

    private static void Loop<TOp>(long[] l, double[] r, bool rConst, int n, Span<ulong> data) where TOp : struct, ICompareOp
    {
        for (int i = 0; i < n; i++)
        {
            double b = r[rConst ? 0 : i];
            if (double.IsNaN(b) ? TOp.Unordered : TOp.Test(CompareOps.Compare(l[i], b)))
                data[i >> 6] |= 1UL << i;
        }
    }

    private static void Loop<TOp>(double[] l, long[] r, bool rConst, int n, Span<ulong> data) where TOp : struct, ICompareOp
    {
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(l[i]) ? TOp.Unordered : TOp.Test(CompareOps.Compare(l[i], r[rConst ? 0 : i])))
                data[i >> 6] |= 1UL << i;
        }
    }

    private static void Loop<TOp>(double[] l, double[] r, bool rConst, int n, Span<ulong> data) where TOp : struct, ICompareOp
    {
        for (int i = 0; i < n; i++)
        {
            if (TOp.Test(l[i], r[rConst ? 0 : i]))
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>
/// A set of numeric constants for <c>in</c>: whole numbers that fit Int64 live in <see cref="Ints"/>, every other
/// value in <see cref="Floats"/>; both sorted, so membership is a binary search and exact for Int64.
/// </summary>
internal sealed class NumericSet
{
    public NumericSet(List<long> ints, List<double> floats)
    {
        foreach (double d in floats)
        {
            if (CompareOps.IsExactInt64(d))
                ints.Add((long)d);
        }
        floats.RemoveAll(CompareOps.IsExactInt64);
        Ints = ints.Distinct().Order().ToArray();
        Floats = floats.Distinct().Order().ToArray();
    }

    public long[] Ints { get; }
    public double[] Floats { get; }

    public bool Contains(long v) => Array.BinarySearch(Ints, v) >= 0;

    public bool Contains(double v) =>
        CompareOps.IsExactInt64(v) ? Array.BinarySearch(Ints, (long)v) >= 0 : Array.BinarySearch(Floats, v) >= 0;
}

internal sealed class NumInPredicate(NumSource source, NumericSet set) : LeafPredicate(Columns(source))
{
    private static int[] Columns(NumSource s)
    {
        var cols = new List<int>();
        s.CollectColumns(cols);
        return cols.ToArray();
    }

    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        int n = ctx.Rows;
        bool f = source.IsFloat;
        long[] li = ArrayPool<long>.Shared.Rent(f ? 1 : n);
        double[] ld = ArrayPool<double>.Shared.Rent(f ? n : 1);
        ulong[] present = ArrayPool<ulong>.Shared.Rent(ctx.Words);
        try
        {
            source.Fill(ref ctx, li, ld, present);
            for (int i = 0; i < n; i++)
            {
                if (f ? set.Contains(ld[i]) : set.Contains(li[i]))
                    data[i >> 6] |= 1UL << i;
            }
            for (int w = 0; w < ctx.Words; w++)
                data[w] &= present[w];
        }
        finally
        {
            ArrayPool<long>.Shared.Return(li);
            ArrayPool<double>.Shared.Return(ld);
            ArrayPool<ulong>.Shared.Return(present);
        }
    }
}
