namespace VectorAspire.Core.Expressions;

/// <summary>Comparison operators as generic structs so the per-row loops are specialised per operator.</summary>
internal interface ICompareOp
{
    static abstract bool Test(int cmp);
}

internal struct LtOp : ICompareOp { public static bool Test(int cmp) => cmp < 0; }
internal struct LeOp : ICompareOp { public static bool Test(int cmp) => cmp <= 0; }
internal struct GtOp : ICompareOp { public static bool Test(int cmp) => cmp > 0; }
internal struct GeOp : ICompareOp { public static bool Test(int cmp) => cmp >= 0; }
internal struct EqOp : ICompareOp { public static bool Test(int cmp) => cmp == 0; }
internal struct NeOp : ICompareOp { public static bool Test(int cmp) => cmp != 0; }

internal static class CompareOps
{
    public static bool Test(BinaryOp op, int cmp) => op switch
    {
        BinaryOp.Lt => cmp < 0,
        BinaryOp.Le => cmp <= 0,
        BinaryOp.Gt => cmp > 0,
        BinaryOp.Ge => cmp >= 0,
        BinaryOp.Eq => cmp == 0,
        _ => cmp != 0,
    };

    /// <summary>The operator with its operands swapped: 5 &lt; a  ==  a &gt; 5.</summary>
    public static BinaryOp Flip(BinaryOp op) => op switch
    {
        BinaryOp.Lt => BinaryOp.Gt,
        BinaryOp.Le => BinaryOp.Ge,
        BinaryOp.Gt => BinaryOp.Lt,
        BinaryOp.Ge => BinaryOp.Le,
        _ => op,
    };

    /// <summary>Exact three-way comparison of an Int64 with a double (no rounding of the Int64 through double).</summary>
    public static int Compare(long a, double b)
    {
        if (double.IsNaN(b))
            return 1;
        if (b >= 9223372036854775808.0)
            return -1;
        if (b < -9223372036854775808.0)
            return 1;
        double t = Math.Truncate(b);
        long lt = (long)t;
        if (a != lt)
            return a < lt ? -1 : 1;
        double frac = b - t;
        return frac > 0 ? -1 : frac < 0 ? 1 : 0;
    }

    public static int Compare(double a, long b) => -Compare(b, a);

    /// <summary>True when <paramref name="d"/> is a whole number that fits in Int64 (then (long)d is exact).</summary>
    public static bool IsExactInt64(double d) =>
        d == Math.Truncate(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}
