using System.Numerics;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// Comparison operators as generic structs so the per-row loops are specialised per operator. Typed comparisons
/// use the type's own operators, so NaN follows IEEE 754 as in Milvus's segcore: every comparison with NaN is false
/// except != (see <see cref="Unordered"/>).
/// </summary>
internal interface ICompareOp
{
    static abstract bool Test(int cmp);

    static abstract bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool>;

    /// <summary>The result when an operand is NaN.</summary>
    static abstract bool Unordered { get; }
}

internal struct LtOp : ICompareOp
{
    public static bool Test(int cmp) => cmp < 0;
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a < b;
    public static bool Unordered => false;
}

internal struct LeOp : ICompareOp
{
    public static bool Test(int cmp) => cmp <= 0;
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a <= b;
    public static bool Unordered => false;
}

internal struct GtOp : ICompareOp
{
    public static bool Test(int cmp) => cmp > 0;
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a > b;
    public static bool Unordered => false;
}

internal struct GeOp : ICompareOp
{
    public static bool Test(int cmp) => cmp >= 0;
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a >= b;
    public static bool Unordered => false;
}

internal struct EqOp : ICompareOp
{
    public static bool Test(int cmp) => cmp == 0;
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a == b;
    public static bool Unordered => false;
}

internal struct NeOp : ICompareOp
{
    public static bool Test(int cmp) => cmp != 0;
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a != b;
    public static bool Unordered => true;
}

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
    /// <remarks>The caller handles NaN (unordered) before calling.</remarks>
    public static int Compare(long a, double b)
    {
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
