using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace VectorAspire.Core.Vectors;

/// <summary>
/// Float32 distance kernels. The vector width is chosen once per process from the hardware flags below; each width
/// has its own kernel file (Distance.V512.cs, .V256.cs, .V128.cs) with four accumulators and an overlapping,
/// masked last chunk instead of a scalar tail. Vectors shorter than the chosen width fall to the next narrower path.
/// Scores follow Milvus: L2 = squared Euclidean distance, IP = inner product, Cosine = cosine similarity.
/// </summary>
public static partial class Distance
{
    // static readonly bools are JIT-time constants in tier-1 code, so the dispatch branches below fold away.
    internal static readonly bool s_use512 = Vector512.IsHardwareAccelerated;
    internal static readonly bool s_use256 = Vector256.IsHardwareAccelerated;
    internal static readonly bool s_use128 = Vector128.IsHardwareAccelerated;

    // Vector128/256.FusedMultiplyAdd is emulated (slowly, one lane at a time) without hardware FMA.
    // AVX-512F always has FMA, so the 512-bit path needs no flag.
    internal static readonly bool s_fma = Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>The widest vector path in use, for logs and benchmark output.</summary>
    public static string InstructionSet =>
        s_use512 ? "Vector512 (AVX-512F, FMA)" :
        s_use256 ? (s_fma ? "Vector256 (FMA)" : "Vector256 (no FMA)") :
        s_use128 ? (s_fma ? "Vector128 (FMA)" : "Vector128 (no FMA)") :
        "scalar";

    /// <summary>Squared Euclidean distance Σ(aᵢ−bᵢ)².</summary>
    public static float L2Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            ThrowLengthMismatch(a.Length, b.Length);
        return L2Squared(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>Inner product Σaᵢbᵢ.</summary>
    public static float InnerProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            ThrowLengthMismatch(a.Length, b.Length);
        return InnerProduct(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>
    /// Cosine similarity of a unit-length <paramref name="unitQuery"/> and any <paramref name="x"/>: dot(q,x)/|x|,
    /// with dot(q,x) and |x|² accumulated in one pass. A zero <paramref name="x"/> scores 0.
    /// The caller normalises the query once (<see cref="Normalize"/>).
    /// </summary>
    public static float CosineUnitQuery(ReadOnlySpan<float> unitQuery, ReadOnlySpan<float> x)
    {
        if (unitQuery.Length != x.Length)
            ThrowLengthMismatch(unitQuery.Length, x.Length);
        return CosineUnitQuery(ref MemoryMarshal.GetReference(unitQuery), ref MemoryMarshal.GetReference(x), x.Length);
    }

    /// <summary>Cosine similarity of two arbitrary vectors; 0 when either is zero. Not a hot-path kernel:
    /// searches normalise the query once and use <see cref="CosineUnitQuery"/>.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            ThrowLengthMismatch(a.Length, b.Length);
        float dotOverNormB = CosineUnitQuery(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
        float normASq = InnerProduct(a, a);
        return normASq > 0f ? dotOverNormB / MathF.Sqrt(normASq) : 0f;
    }

    /// <summary>Score of one row for <paramref name="metric"/>; for Cosine the query must be unit length.</summary>
    public static float Score(MetricType metric, ReadOnlySpan<float> query, ReadOnlySpan<float> x) => metric switch
    {
        MetricType.L2 => L2Squared(query, x),
        MetricType.IP => InnerProduct(query, x),
        MetricType.Cosine => CosineUnitQuery(query, x),
        _ => ThrowUnknownMetric<float>(metric),
    };

    /// <summary>Scales <paramref name="v"/> to unit length in place and returns its original norm.
    /// A zero vector is left unchanged (its cosine with anything is defined as 0).</summary>
    public static float Normalize(Span<float> v)
    {
        float normSq = InnerProduct(v, v);
        if (!(normSq > 0f))
            return 0f;
        float norm = MathF.Sqrt(normSq);
        float inv = 1f / norm;
        ref float r = ref MemoryMarshal.GetReference(v);
        int n = v.Length;
        int i = 0;
        if (s_use512)
        {
            var s = Vector512.Create(inv);
            for (; i + 16 <= n; i += 16)
                (Vector512.LoadUnsafe(ref r, (nuint)i) * s).StoreUnsafe(ref r, (nuint)i);
        }
        if (s_use256)
        {
            var s = Vector256.Create(inv);
            for (; i + 8 <= n; i += 8)
                (Vector256.LoadUnsafe(ref r, (nuint)i) * s).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref r, i) *= inv;
        return norm;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float L2Squared(ref float a, ref float b, int n)
    {
        if (s_use512 && n >= Vector512<float>.Count)
            return L2Squared512(ref a, ref b, n);
        if (s_use256 && n >= Vector256<float>.Count)
            return L2Squared256(ref a, ref b, n);
        if (s_use128 && n >= Vector128<float>.Count)
            return L2Squared128(ref a, ref b, n);
        return L2SquaredScalar(ref a, ref b, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float InnerProduct(ref float a, ref float b, int n)
    {
        if (s_use512 && n >= Vector512<float>.Count)
            return InnerProduct512(ref a, ref b, n);
        if (s_use256 && n >= Vector256<float>.Count)
            return InnerProduct256(ref a, ref b, n);
        if (s_use128 && n >= Vector128<float>.Count)
            return InnerProduct128(ref a, ref b, n);
        return InnerProductScalar(ref a, ref b, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float CosineUnitQuery(ref float q, ref float x, int n)
    {
        if (s_use512 && n >= Vector512<float>.Count)
            return CosineUnitQuery512(ref q, ref x, n);
        if (s_use256 && n >= Vector256<float>.Count)
            return CosineUnitQuery256(ref q, ref x, n);
        if (s_use128 && n >= Vector128<float>.Count)
            return CosineUnitQuery128(ref q, ref x, n);
        return CosineUnitQueryScalar(ref q, ref x, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float CosineFromParts(float dot, float normSq) => normSq > 0f ? dot / MathF.Sqrt(normSq) : 0f;

    // Scalar paths for vectors shorter than the narrowest hardware vector (or no SIMD at all).
    internal static float L2SquaredScalar(ref float a, ref float b, int n)
    {
        float s = 0f;
        for (int i = 0; i < n; i++)
        {
            float d = Unsafe.Add(ref a, i) - Unsafe.Add(ref b, i);
            s += d * d;
        }
        return s;
    }

    internal static float InnerProductScalar(ref float a, ref float b, int n)
    {
        float s = 0f;
        for (int i = 0; i < n; i++)
            s += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return s;
    }

    internal static float CosineUnitQueryScalar(ref float q, ref float x, int n)
    {
        float dot = 0f, normSq = 0f;
        for (int i = 0; i < n; i++)
        {
            float xi = Unsafe.Add(ref x, i);
            dot += Unsafe.Add(ref q, i) * xi;
            normSq += xi * xi;
        }
        return CosineFromParts(dot, normSq);
    }

    [DoesNotReturn]
    internal static void ThrowLengthMismatch(int a, int b) =>
        throw new ArgumentException($"vectors differ in length ({a} vs {b})");

    [DoesNotReturn]
    internal static T ThrowUnknownMetric<T>(MetricType metric) =>
        throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type");
}
