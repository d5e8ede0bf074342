using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Hnsw;

/// <summary>
/// A query bound to one vector representation. Distances are "smaller is closer" inside the graph: squared L2, or
/// the negated inner product (negation is exact, so scores convert back without rounding). Implementations are
/// structs so each search loop is compiled once per space with the distance inlined.
/// </summary>
internal unsafe interface IHnswSpace
{
    float Distance(byte* payload);
}

internal readonly unsafe struct FloatL2Space(float* query, int dim) : IHnswSpace
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(byte* payload) => Vectors.Distance.L2Squared(ref *query, ref *(float*)payload, dim);
}

internal readonly unsafe struct FloatIPSpace(float* query, int dim) : IHnswSpace
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(byte* payload) => -Vectors.Distance.InnerProduct(ref *query, ref *(float*)payload, dim);
}

/// <summary>
/// SQ8 L2 against uint8 codes, asymmetric: the query stays float. With x_d ≈ min_d + c_d·scale_d and q'_d = q_d − min_d,
/// ‖q − x‖² ≈ Σ (q'_d − c_d·scale_d)². The codes are widened to float in registers (vpmovzxbd + vcvtdq2ps), so the
/// kernel reads a quarter of the bytes of the float kernel, which is what a graph walk that misses cache pays for.
/// </summary>
internal readonly unsafe struct SqL2Space(float* shiftedQuery, float* scale, int dim) : IHnswSpace
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(byte* codes) => SqKernels.L2(shiftedQuery, scale, codes, dim);
}

/// <summary>SQ8 inner product: q·x ≈ q·min + Σ (q_d·scale_d)·c_d; <c>bias</c> = q·min, <c>scaledQuery</c> = q ∘ scale.</summary>
internal readonly unsafe struct SqIPSpace(float* scaledQuery, float bias, int dim) : IHnswSpace
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(byte* codes) => -(bias + SqKernels.Dot(scaledQuery, codes, dim));
}

internal static unsafe class SqKernels
{
    public static float L2(float* q, float* scale, byte* codes, int dim)
    {
        int i = 0;
        float sum = 0f;
        if (Avx512F.IsSupported && dim >= 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i + 32 <= dim; i += 32)
            {
                var c0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(codes + i)));
                var c1 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(codes + i + 16)));
                var d0 = Avx512F.FusedMultiplyAddNegated(c0, Vector512.Load(scale + i), Vector512.Load(q + i));
                var d1 = Avx512F.FusedMultiplyAddNegated(c1, Vector512.Load(scale + i + 16), Vector512.Load(q + i + 16));
                acc0 = Avx512F.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Avx512F.FusedMultiplyAdd(d1, d1, acc1);
            }
            for (; i + 16 <= dim; i += 16)
            {
                var c0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(codes + i)));
                var d0 = Avx512F.FusedMultiplyAddNegated(c0, Vector512.Load(scale + i), Vector512.Load(q + i));
                acc0 = Avx512F.FusedMultiplyAdd(d0, d0, acc0);
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Avx2.IsSupported && Fma.IsSupported && dim >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= dim; i += 8)
            {
                var c = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(codes + i));
                var d = Fma.MultiplyAddNegated(c, Vector256.Load(scale + i), Vector256.Load(q + i));
                acc = Fma.MultiplyAdd(d, d, acc);
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < dim; i++)
        {
            float d = q[i] - (codes[i] * scale[i]);
            sum += d * d;
        }
        return sum;
    }

    public static float Dot(float* q, byte* codes, int dim)
    {
        int i = 0;
        float sum = 0f;
        if (Avx512F.IsSupported && dim >= 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i + 32 <= dim; i += 32)
            {
                var c0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(codes + i)));
                var c1 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(codes + i + 16)));
                acc0 = Avx512F.FusedMultiplyAdd(c0, Vector512.Load(q + i), acc0);
                acc1 = Avx512F.FusedMultiplyAdd(c1, Vector512.Load(q + i + 16), acc1);
            }
            for (; i + 16 <= dim; i += 16)
            {
                var c0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(codes + i)));
                acc0 = Avx512F.FusedMultiplyAdd(c0, Vector512.Load(q + i), acc0);
            }
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Avx2.IsSupported && Fma.IsSupported && dim >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= dim; i += 8)
            {
                var c = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(codes + i));
                acc = Fma.MultiplyAdd(c, Vector256.Load(q + i), acc);
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < dim; i++)
            sum += q[i] * codes[i];
        return sum;
    }

    /// <summary>Scalar reference of <see cref="L2"/>, the test oracle.</summary>
    public static float L2Scalar(float* q, float* scale, byte* codes, int dim)
    {
        float sum = 0f;
        for (int i = 0; i < dim; i++)
        {
            float d = q[i] - (codes[i] * scale[i]);
            sum += d * d;
        }
        return sum;
    }
}

/// <summary>Which rows may enter the results (hnswlib's isIdAllowed); traversal ignores it.</summary>
internal unsafe interface IRowFilter
{
    bool Allows(int row);
}

internal readonly struct AllRows : IRowFilter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Allows(int row) => true;
}

internal readonly unsafe struct BitsetRows(ulong* bits) : IRowFilter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Allows(int row) => (bits[row >> 6] & (1UL << row)) != 0;
}
