using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VectorAspire.Core.Vectors;

// 256-bit kernels. Four independent accumulators hide the FMA latency; the last partial chunk reloads the final
// full vector of the input and masks off the lanes already counted, so there is no scalar tail. Requires n >= W.
public static partial class Distance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd256(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        s_fma ? Vector256.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>Horizontal sum by halving (fewer shuffles than Vector256.Sum, which reduces each 128-bit lane separately).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Sum256(Vector256<float> v) => Sum128(v.GetLower() + v.GetUpper());

    /// <summary>Mask keeping lanes j >= <paramref name="firstNew"/> of the overlapping last chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TailMask256(int firstNew) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(firstNew)).AsSingle();

    internal static float L2Squared256(ref float a, ref float b, int n)
    {
        const int W = 8;
        Debug.Assert(n >= W);
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        nuint len = (nuint)n;
        nuint i = 0;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            var d0 = Vector256.LoadUnsafe(ref a, i) - Vector256.LoadUnsafe(ref b, i);
            var d1 = Vector256.LoadUnsafe(ref a, i + W) - Vector256.LoadUnsafe(ref b, i + W);
            var d2 = Vector256.LoadUnsafe(ref a, i + 2 * W) - Vector256.LoadUnsafe(ref b, i + 2 * W);
            var d3 = Vector256.LoadUnsafe(ref a, i + 3 * W) - Vector256.LoadUnsafe(ref b, i + 3 * W);
            acc0 = MulAdd256(d0, d0, acc0);
            acc1 = MulAdd256(d1, d1, acc1);
            acc2 = MulAdd256(d2, d2, acc2);
            acc3 = MulAdd256(d3, d3, acc3);
        }
        if (i + 2 * W <= len)
        {
            var d0 = Vector256.LoadUnsafe(ref a, i) - Vector256.LoadUnsafe(ref b, i);
            var d1 = Vector256.LoadUnsafe(ref a, i + W) - Vector256.LoadUnsafe(ref b, i + W);
            acc0 = MulAdd256(d0, d0, acc0);
            acc1 = MulAdd256(d1, d1, acc1);
            i += 2 * W;
        }
        if (i + W <= len)
        {
            var d = Vector256.LoadUnsafe(ref a, i) - Vector256.LoadUnsafe(ref b, i);
            acc2 = MulAdd256(d, d, acc2);
            i += W;
        }
        if (i < len)
        {
            nuint last = len - W;
            var d = (Vector256.LoadUnsafe(ref a, last) - Vector256.LoadUnsafe(ref b, last)) & TailMask256((int)(i - last));
            acc3 = MulAdd256(d, d, acc3);
        }
        return Sum256((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float InnerProduct256(ref float a, ref float b, int n)
    {
        const int W = 8;
        Debug.Assert(n >= W);
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        nuint len = (nuint)n;
        nuint i = 0;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            acc0 = MulAdd256(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), acc0);
            acc1 = MulAdd256(Vector256.LoadUnsafe(ref a, i + W), Vector256.LoadUnsafe(ref b, i + W), acc1);
            acc2 = MulAdd256(Vector256.LoadUnsafe(ref a, i + 2 * W), Vector256.LoadUnsafe(ref b, i + 2 * W), acc2);
            acc3 = MulAdd256(Vector256.LoadUnsafe(ref a, i + 3 * W), Vector256.LoadUnsafe(ref b, i + 3 * W), acc3);
        }
        if (i + 2 * W <= len)
        {
            acc0 = MulAdd256(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), acc0);
            acc1 = MulAdd256(Vector256.LoadUnsafe(ref a, i + W), Vector256.LoadUnsafe(ref b, i + W), acc1);
            i += 2 * W;
        }
        if (i + W <= len)
        {
            acc2 = MulAdd256(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), acc2);
            i += W;
        }
        if (i < len)
        {
            nuint last = len - W;
            var mask = TailMask256((int)(i - last));
            acc3 = MulAdd256(Vector256.LoadUnsafe(ref a, last) & mask, Vector256.LoadUnsafe(ref b, last) & mask, acc3);
        }
        return Sum256((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float CosineUnitQuery256(ref float q, ref float x, int n)
    {
        const int W = 8;
        Debug.Assert(n >= W);
        var dot0 = Vector256<float>.Zero;
        var dot1 = Vector256<float>.Zero;
        var dot2 = Vector256<float>.Zero;
        var dot3 = Vector256<float>.Zero;
        var nrm0 = Vector256<float>.Zero;
        var nrm1 = Vector256<float>.Zero;
        var nrm2 = Vector256<float>.Zero;
        var nrm3 = Vector256<float>.Zero;
        nuint len = (nuint)n;
        nuint i = 0;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            var x0 = Vector256.LoadUnsafe(ref x, i);
            var x1 = Vector256.LoadUnsafe(ref x, i + W);
            var x2 = Vector256.LoadUnsafe(ref x, i + 2 * W);
            var x3 = Vector256.LoadUnsafe(ref x, i + 3 * W);
            dot0 = MulAdd256(Vector256.LoadUnsafe(ref q, i), x0, dot0);
            dot1 = MulAdd256(Vector256.LoadUnsafe(ref q, i + W), x1, dot1);
            dot2 = MulAdd256(Vector256.LoadUnsafe(ref q, i + 2 * W), x2, dot2);
            dot3 = MulAdd256(Vector256.LoadUnsafe(ref q, i + 3 * W), x3, dot3);
            nrm0 = MulAdd256(x0, x0, nrm0);
            nrm1 = MulAdd256(x1, x1, nrm1);
            nrm2 = MulAdd256(x2, x2, nrm2);
            nrm3 = MulAdd256(x3, x3, nrm3);
        }
        if (i + 2 * W <= len)
        {
            var x0 = Vector256.LoadUnsafe(ref x, i);
            var x1 = Vector256.LoadUnsafe(ref x, i + W);
            dot0 = MulAdd256(Vector256.LoadUnsafe(ref q, i), x0, dot0);
            dot1 = MulAdd256(Vector256.LoadUnsafe(ref q, i + W), x1, dot1);
            nrm0 = MulAdd256(x0, x0, nrm0);
            nrm1 = MulAdd256(x1, x1, nrm1);
            i += 2 * W;
        }
        if (i + W <= len)
        {
            var x0 = Vector256.LoadUnsafe(ref x, i);
            dot2 = MulAdd256(Vector256.LoadUnsafe(ref q, i), x0, dot2);
            nrm2 = MulAdd256(x0, x0, nrm2);
            i += W;
        }
        if (i < len)
        {
            nuint last = len - W;
            var xm = Vector256.LoadUnsafe(ref x, last) & TailMask256((int)(i - last));
            dot3 = MulAdd256(Vector256.LoadUnsafe(ref q, last), xm, dot3);
            nrm3 = MulAdd256(xm, xm, nrm3);
        }
        float dot = Sum256((dot0 + dot1) + (dot2 + dot3));
        float normSq = Sum256((nrm0 + nrm1) + (nrm2 + nrm3));
        return CosineFromParts(dot, normSq);
    }
}
