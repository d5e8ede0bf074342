using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VectorAspire.Core.Vectors;

/// <summary>One accumulation step of a 512-bit kernel: acc += f(q, x) lane-wise.</summary>
internal interface IStep512
{
    static abstract Vector512<float> Step(Vector512<float> q, Vector512<float> x, Vector512<float> acc);
}

internal readonly struct L2Step512 : IStep512
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Step(Vector512<float> q, Vector512<float> x, Vector512<float> acc)
    {
        var d = q - x;
        return Vector512.FusedMultiplyAdd(d, d, acc);
    }
}

internal readonly struct IPStep512 : IStep512
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Step(Vector512<float> q, Vector512<float> x, Vector512<float> acc) =>
        Vector512.FusedMultiplyAdd(q, x, acc);
}

// Four queries against one row: the row is loaded once for all four (the many-queries kernels are bound by loads,
// not arithmetic). Each query keeps exactly the accumulator layout, step order, tail mask and reduction of the
// single-query kernel in Distance.V512.cs, so scores are bit-identical to four single calls; batching a search
// therefore never changes its results. 16 accumulators + 4 row registers fit AVX-512's 32 registers.
public static partial class Distance
{
    /// <summary>Writes score(q_k, x) to dst[k * dstStride] for queries q_k = q[k * qStride ..], k = 0..3.</summary>
    internal static void Score4x512<TStep>(ref float q, nint qStride, ref float x, int n, ref float dst, nint dstStride)
        where TStep : struct, IStep512
    {
        const int W = 16;
        Debug.Assert(n >= W);
        ref float q0 = ref q;
        ref float q1 = ref Unsafe.Add(ref q, qStride);
        ref float q2 = ref Unsafe.Add(ref q, 2 * qStride);
        ref float q3 = ref Unsafe.Add(ref q, 3 * qStride);
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        nuint len = (nuint)n;
        nuint i = 0;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            var x0 = Vector512.LoadUnsafe(ref x, i);
            var x1 = Vector512.LoadUnsafe(ref x, i + W);
            var x2 = Vector512.LoadUnsafe(ref x, i + 2 * W);
            var x3 = Vector512.LoadUnsafe(ref x, i + 3 * W);
            a00 = TStep.Step(Vector512.LoadUnsafe(ref q0, i), x0, a00);
            a01 = TStep.Step(Vector512.LoadUnsafe(ref q0, i + W), x1, a01);
            a02 = TStep.Step(Vector512.LoadUnsafe(ref q0, i + 2 * W), x2, a02);
            a03 = TStep.Step(Vector512.LoadUnsafe(ref q0, i + 3 * W), x3, a03);
            a10 = TStep.Step(Vector512.LoadUnsafe(ref q1, i), x0, a10);
            a11 = TStep.Step(Vector512.LoadUnsafe(ref q1, i + W), x1, a11);
            a12 = TStep.Step(Vector512.LoadUnsafe(ref q1, i + 2 * W), x2, a12);
            a13 = TStep.Step(Vector512.LoadUnsafe(ref q1, i + 3 * W), x3, a13);
            a20 = TStep.Step(Vector512.LoadUnsafe(ref q2, i), x0, a20);
            a21 = TStep.Step(Vector512.LoadUnsafe(ref q2, i + W), x1, a21);
            a22 = TStep.Step(Vector512.LoadUnsafe(ref q2, i + 2 * W), x2, a22);
            a23 = TStep.Step(Vector512.LoadUnsafe(ref q2, i + 3 * W), x3, a23);
            a30 = TStep.Step(Vector512.LoadUnsafe(ref q3, i), x0, a30);
            a31 = TStep.Step(Vector512.LoadUnsafe(ref q3, i + W), x1, a31);
            a32 = TStep.Step(Vector512.LoadUnsafe(ref q3, i + 2 * W), x2, a32);
            a33 = TStep.Step(Vector512.LoadUnsafe(ref q3, i + 3 * W), x3, a33);
        }
        if (i + 2 * W <= len)
        {
            var x0 = Vector512.LoadUnsafe(ref x, i);
            var x1 = Vector512.LoadUnsafe(ref x, i + W);
            a00 = TStep.Step(Vector512.LoadUnsafe(ref q0, i), x0, a00);
            a01 = TStep.Step(Vector512.LoadUnsafe(ref q0, i + W), x1, a01);
            a10 = TStep.Step(Vector512.LoadUnsafe(ref q1, i), x0, a10);
            a11 = TStep.Step(Vector512.LoadUnsafe(ref q1, i + W), x1, a11);
            a20 = TStep.Step(Vector512.LoadUnsafe(ref q2, i), x0, a20);
            a21 = TStep.Step(Vector512.LoadUnsafe(ref q2, i + W), x1, a21);
            a30 = TStep.Step(Vector512.LoadUnsafe(ref q3, i), x0, a30);
            a31 = TStep.Step(Vector512.LoadUnsafe(ref q3, i + W), x1, a31);
            i += 2 * W;
        }
        if (i + W <= len)
        {
            var x0 = Vector512.LoadUnsafe(ref x, i);
            a02 = TStep.Step(Vector512.LoadUnsafe(ref q0, i), x0, a02);
            a12 = TStep.Step(Vector512.LoadUnsafe(ref q1, i), x0, a12);
            a22 = TStep.Step(Vector512.LoadUnsafe(ref q2, i), x0, a22);
            a32 = TStep.Step(Vector512.LoadUnsafe(ref q3, i), x0, a32);
            i += W;
        }
        if (i < len)
        {
            nuint last = len - W;
            var mask = TailMask512((int)(i - last));
            var xm = Vector512.LoadUnsafe(ref x, last) & mask;
            a03 = TStep.Step(Vector512.LoadUnsafe(ref q0, last) & mask, xm, a03);
            a13 = TStep.Step(Vector512.LoadUnsafe(ref q1, last) & mask, xm, a13);
            a23 = TStep.Step(Vector512.LoadUnsafe(ref q2, last) & mask, xm, a23);
            a33 = TStep.Step(Vector512.LoadUnsafe(ref q3, last) & mask, xm, a33);
        }
        dst = Sum512((a00 + a01) + (a02 + a03));
        Unsafe.Add(ref dst, dstStride) = Sum512((a10 + a11) + (a12 + a13));
        Unsafe.Add(ref dst, 2 * dstStride) = Sum512((a20 + a21) + (a22 + a23));
        Unsafe.Add(ref dst, 3 * dstStride) = Sum512((a30 + a31) + (a32 + a33));
    }

    /// <summary>Cosine of four unit queries against one row; |x|² is accumulated once and shared.</summary>
    internal static void CosineUnitQuery4x512(ref float q, nint qStride, ref float x, int n, ref float dst, nint dstStride)
    {
        const int W = 16;
        Debug.Assert(n >= W);
        ref float q0 = ref q;
        ref float q1 = ref Unsafe.Add(ref q, qStride);
        ref float q2 = ref Unsafe.Add(ref q, 2 * qStride);
        ref float q3 = ref Unsafe.Add(ref q, 3 * qStride);
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<float> n0 = default, n1 = default, n2 = default, n3 = default;
        nuint len = (nuint)n;
        nuint i = 0;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            var x0 = Vector512.LoadUnsafe(ref x, i);
            var x1 = Vector512.LoadUnsafe(ref x, i + W);
            var x2 = Vector512.LoadUnsafe(ref x, i + 2 * W);
            var x3 = Vector512.LoadUnsafe(ref x, i + 3 * W);
            n0 = Vector512.FusedMultiplyAdd(x0, x0, n0);
            n1 = Vector512.FusedMultiplyAdd(x1, x1, n1);
            n2 = Vector512.FusedMultiplyAdd(x2, x2, n2);
            n3 = Vector512.FusedMultiplyAdd(x3, x3, n3);
            a00 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i), x0, a00);
            a01 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i + W), x1, a01);
            a02 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i + 2 * W), x2, a02);
            a03 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i + 3 * W), x3, a03);
            a10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i), x0, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i + W), x1, a11);
            a12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i + 2 * W), x2, a12);
            a13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i + 3 * W), x3, a13);
            a20 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i), x0, a20);
            a21 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i + W), x1, a21);
            a22 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i + 2 * W), x2, a22);
            a23 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i + 3 * W), x3, a23);
            a30 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i), x0, a30);
            a31 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i + W), x1, a31);
            a32 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i + 2 * W), x2, a32);
            a33 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i + 3 * W), x3, a33);
        }
        if (i + 2 * W <= len)
        {
            var x0 = Vector512.LoadUnsafe(ref x, i);
            var x1 = Vector512.LoadUnsafe(ref x, i + W);
            n0 = Vector512.FusedMultiplyAdd(x0, x0, n0);
            n1 = Vector512.FusedMultiplyAdd(x1, x1, n1);
            a00 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i), x0, a00);
            a01 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i + W), x1, a01);
            a10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i), x0, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i + W), x1, a11);
            a20 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i), x0, a20);
            a21 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i + W), x1, a21);
            a30 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i), x0, a30);
            a31 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i + W), x1, a31);
            i += 2 * W;
        }
        if (i + W <= len)
        {
            var x0 = Vector512.LoadUnsafe(ref x, i);
            n2 = Vector512.FusedMultiplyAdd(x0, x0, n2);
            a02 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i), x0, a02);
            a12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i), x0, a12);
            a22 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i), x0, a22);
            a32 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i), x0, a32);
            i += W;
        }
        if (i < len)
        {
            nuint last = len - W;
            var xm = Vector512.LoadUnsafe(ref x, last) & TailMask512((int)(i - last));
            n3 = Vector512.FusedMultiplyAdd(xm, xm, n3);
            a03 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, last), xm, a03);
            a13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, last), xm, a13);
            a23 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, last), xm, a23);
            a33 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, last), xm, a33);
        }
        float normSq = Sum512((n0 + n1) + (n2 + n3));
        dst = CosineFromParts(Sum512((a00 + a01) + (a02 + a03)), normSq);
        Unsafe.Add(ref dst, dstStride) = CosineFromParts(Sum512((a10 + a11) + (a12 + a13)), normSq);
        Unsafe.Add(ref dst, 2 * dstStride) = CosineFromParts(Sum512((a20 + a21) + (a22 + a23)), normSq);
        Unsafe.Add(ref dst, 3 * dstStride) = CosineFromParts(Sum512((a30 + a31) + (a32 + a33)), normSq);
    }
}
