using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// Scores of a float query against rows of 8-bit scalar codes, decoding on the fly (x_d = min_d + code_d·scale_d).
/// The query is prepared once per search into two float vectors (a, b) of the padded code stride, so each
/// dimension costs one or two fused multiply-adds:
/// <list type="bullet">
/// <item>L2: a = q − min, b = scale; score = Σ (a_d − code_d·b_d)²</item>
/// <item>IP: a = q ∘ scale, b unused; score = Σ a_d·code_d, plus the constant q·min added by the caller</item>
/// </list>
/// Code rows are padded to a multiple of 16 bytes with zero codes and the padded query lanes are zero, so every
/// path runs whole vectors: 16 codes per step with AVX-512 (vpmovzxbd + vcvtdq2ps), 8 with AVX2, else scalar.
/// </summary>
internal interface ISq8Kernel
{
    static abstract float Row(ref float a, ref float b, ref byte code, int stride);

    /// <summary>Four consecutive rows (stride bytes apart) into dst[0..3]; equal to four <see cref="Row"/> calls.</summary>
    static abstract void Rows4(ref float a, ref float b, ref byte codes, int stride, ref float dst);
}

internal readonly struct Sq8L2 : ISq8Kernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Row(ref float a, ref float b, ref byte code, int stride)
    {
        if (Avx512F.IsSupported)
        {
            var acc = Vector512<float>.Zero;
            for (int d = 0; d < stride; d += 16)
            {
                var x = Sq8Kernels.Load16(ref code, d);
                var diff = Avx512F.FusedMultiplyAddNegated(x, Vector512.LoadUnsafe(ref b, (nuint)d), Vector512.LoadUnsafe(ref a, (nuint)d));
                acc = Avx512F.FusedMultiplyAdd(diff, diff, acc);
            }
            return Vector512.Sum(acc);
        }
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            var acc = Vector256<float>.Zero;
            for (int d = 0; d < stride; d += 8)
            {
                var x = Sq8Kernels.Load8(ref code, d);
                var diff = Fma.MultiplyAddNegated(x, Vector256.LoadUnsafe(ref b, (nuint)d), Vector256.LoadUnsafe(ref a, (nuint)d));
                acc = Fma.MultiplyAdd(diff, diff, acc);
            }
            return Vector256.Sum(acc);
        }
        return Sq8Kernels.ScalarL2(ref a, ref b, ref code, stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows4(ref float a, ref float b, ref byte codes, int stride, ref float dst)
    {
        if (Avx512F.IsSupported)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            var acc2 = Vector512<float>.Zero;
            var acc3 = Vector512<float>.Zero;
            ref byte c1 = ref Unsafe.Add(ref codes, stride);
            ref byte c2 = ref Unsafe.Add(ref codes, 2 * stride);
            ref byte c3 = ref Unsafe.Add(ref codes, 3 * stride);
            for (int d = 0; d < stride; d += 16)
            {
                var va = Vector512.LoadUnsafe(ref a, (nuint)d);
                var vb = Vector512.LoadUnsafe(ref b, (nuint)d);
                var d0 = Avx512F.FusedMultiplyAddNegated(Sq8Kernels.Load16(ref codes, d), vb, va);
                var d1 = Avx512F.FusedMultiplyAddNegated(Sq8Kernels.Load16(ref c1, d), vb, va);
                var d2 = Avx512F.FusedMultiplyAddNegated(Sq8Kernels.Load16(ref c2, d), vb, va);
                var d3 = Avx512F.FusedMultiplyAddNegated(Sq8Kernels.Load16(ref c3, d), vb, va);
                acc0 = Avx512F.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Avx512F.FusedMultiplyAdd(d1, d1, acc1);
                acc2 = Avx512F.FusedMultiplyAdd(d2, d2, acc2);
                acc3 = Avx512F.FusedMultiplyAdd(d3, d3, acc3);
            }
            dst = Vector512.Sum(acc0);
            Unsafe.Add(ref dst, 1) = Vector512.Sum(acc1);
            Unsafe.Add(ref dst, 2) = Vector512.Sum(acc2);
            Unsafe.Add(ref dst, 3) = Vector512.Sum(acc3);
            return;
        }
        for (int r = 0; r < 4; r++)
            Unsafe.Add(ref dst, r) = Row(ref a, ref b, ref Unsafe.Add(ref codes, r * stride), stride);
    }
}

internal readonly struct Sq8IP : ISq8Kernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Row(ref float a, ref float b, ref byte code, int stride)
    {
        if (Avx512F.IsSupported)
        {
            var acc = Vector512<float>.Zero;
            for (int d = 0; d < stride; d += 16)
                acc = Avx512F.FusedMultiplyAdd(Sq8Kernels.Load16(ref code, d), Vector512.LoadUnsafe(ref a, (nuint)d), acc);
            return Vector512.Sum(acc);
        }
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            var acc = Vector256<float>.Zero;
            for (int d = 0; d < stride; d += 8)
                acc = Fma.MultiplyAdd(Sq8Kernels.Load8(ref code, d), Vector256.LoadUnsafe(ref a, (nuint)d), acc);
            return Vector256.Sum(acc);
        }
        return Sq8Kernels.ScalarIP(ref a, ref code, stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows4(ref float a, ref float b, ref byte codes, int stride, ref float dst)
    {
        if (Avx512F.IsSupported)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            var acc2 = Vector512<float>.Zero;
            var acc3 = Vector512<float>.Zero;
            ref byte c1 = ref Unsafe.Add(ref codes, stride);
            ref byte c2 = ref Unsafe.Add(ref codes, 2 * stride);
            ref byte c3 = ref Unsafe.Add(ref codes, 3 * stride);
            for (int d = 0; d < stride; d += 16)
            {
                var va = Vector512.LoadUnsafe(ref a, (nuint)d);
                acc0 = Avx512F.FusedMultiplyAdd(Sq8Kernels.Load16(ref codes, d), va, acc0);
                acc1 = Avx512F.FusedMultiplyAdd(Sq8Kernels.Load16(ref c1, d), va, acc1);
                acc2 = Avx512F.FusedMultiplyAdd(Sq8Kernels.Load16(ref c2, d), va, acc2);
                acc3 = Avx512F.FusedMultiplyAdd(Sq8Kernels.Load16(ref c3, d), va, acc3);
            }
            dst = Vector512.Sum(acc0);
            Unsafe.Add(ref dst, 1) = Vector512.Sum(acc1);
            Unsafe.Add(ref dst, 2) = Vector512.Sum(acc2);
            Unsafe.Add(ref dst, 3) = Vector512.Sum(acc3);
            return;
        }
        for (int r = 0; r < 4; r++)
            Unsafe.Add(ref dst, r) = Row(ref a, ref b, ref Unsafe.Add(ref codes, r * stride), stride);
    }
}

internal static class Sq8Kernels
{
    public const int StrideAlignment = 16;

    public static int Stride(int dim) => (dim + StrideAlignment - 1) / StrideAlignment * StrideAlignment;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(ref byte code, int offset) =>
        Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref code, (nuint)offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(ref byte code, int offset) =>
        Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref code, offset))).AsByte()));

    public static float ScalarL2(ref float a, ref float b, ref byte code, int stride)
    {
        float s = 0;
        for (int d = 0; d < stride; d++)
        {
            float diff = Unsafe.Add(ref a, d) - (Unsafe.Add(ref code, d) * Unsafe.Add(ref b, d));
            s += diff * diff;
        }
        return s;
    }

    public static float ScalarIP(ref float a, ref byte code, int stride)
    {
        float s = 0;
        for (int d = 0; d < stride; d++)
            s += Unsafe.Add(ref a, d) * Unsafe.Add(ref code, d);
        return s;
    }
}
