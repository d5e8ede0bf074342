using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VectorAspire.Core.Vectors;

/// <summary>Query-vs-row scores. Implemented by structs so generic block loops are specialised per metric and the
/// kernel call is inlined (no delegate, no virtual call per row).</summary>
internal interface IRowKernel
{
    static abstract float Score(ref float query, ref float row, int dim);

    /// <summary>Scores one row against four queries (q_k at query + k*queryStride) into dst[k*dstStride],
    /// bit-identical to four <see cref="Score"/> calls.</summary>
    static abstract void Score4(ref float query, nint queryStride, ref float row, int dim, ref float dst, nint dstStride);

    /// <summary>Scores four consecutive rows against one query into dst[0..3], bit-identical to four
    /// <see cref="Score"/> calls.</summary>
    static abstract void ScoreRows4(ref float query, ref float rows, int dim, ref float dst);
}

internal readonly struct L2Kernel : IRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float query, ref float row, int dim) => Distance.L2Squared(ref query, ref row, dim);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Score4(ref float query, nint queryStride, ref float row, int dim, ref float dst, nint dstStride)
    {
        if (Distance.s_use512 && dim >= Vector512<float>.Count)
            Distance.Score4x512<L2Step512>(ref query, queryStride, ref row, dim, ref dst, dstStride);
        else
            RowKernel.Score4Singly<L2Kernel>(ref query, queryStride, ref row, dim, ref dst, dstStride);
    }

    // The 4-query kernel with the roles swapped: the four rows are its "queries" and the query its shared row.
    // Swapping is exact for both steps ((x-q)² = (q-x)², x*q = q*x), so scores equal the single-row kernel's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScoreRows4(ref float query, ref float rows, int dim, ref float dst)
    {
        if (Distance.s_use512 && dim >= Vector512<float>.Count)
            Distance.Score4x512<L2Step512>(ref rows, dim, ref query, dim, ref dst, 1);
        else
            RowKernel.ScoreRows4Singly<L2Kernel>(ref query, ref rows, dim, ref dst);
    }
}

internal readonly struct IPKernel : IRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float query, ref float row, int dim) => Distance.InnerProduct(ref query, ref row, dim);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Score4(ref float query, nint queryStride, ref float row, int dim, ref float dst, nint dstStride)
    {
        if (Distance.s_use512 && dim >= Vector512<float>.Count)
            Distance.Score4x512<IPStep512>(ref query, queryStride, ref row, dim, ref dst, dstStride);
        else
            RowKernel.Score4Singly<IPKernel>(ref query, queryStride, ref row, dim, ref dst, dstStride);
    }

    // The 4-query kernel with the roles swapped: the four rows are its "queries" and the query its shared row.
    // Swapping is exact for both steps ((x-q)² = (q-x)², x*q = q*x), so scores equal the single-row kernel's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScoreRows4(ref float query, ref float rows, int dim, ref float dst)
    {
        if (Distance.s_use512 && dim >= Vector512<float>.Count)
            Distance.Score4x512<IPStep512>(ref rows, dim, ref query, dim, ref dst, 1);
        else
            RowKernel.ScoreRows4Singly<IPKernel>(ref query, ref rows, dim, ref dst);
    }
}

/// <summary>Queries must be unit length.</summary>
internal readonly struct CosineKernel : IRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float query, ref float row, int dim) => Distance.CosineUnitQuery(ref query, ref row, dim);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Score4(ref float query, nint queryStride, ref float row, int dim, ref float dst, nint dstStride)
    {
        if (Distance.s_use512 && dim >= Vector512<float>.Count)
            Distance.CosineUnitQuery4x512(ref query, queryStride, ref row, dim, ref dst, dstStride);
        else
            RowKernel.Score4Singly<CosineKernel>(ref query, queryStride, ref row, dim, ref dst, dstStride);
    }

    // No row-blocked cosine kernel: four rows need 32 accumulators (dot and |x|² per row), more than fit. Taking
    // the dots from the blocked IP kernel plus a second |x|² pass over the rows (still in L1) measured slower
    // (44 vs 56 GB/s in cache at 128-d) than the one-pass single-row kernel used here.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScoreRows4(ref float query, ref float rows, int dim, ref float dst) =>
        RowKernel.ScoreRows4Singly<CosineKernel>(ref query, ref rows, dim, ref dst);
}

internal static class RowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Score4Singly<TKernel>(ref float query, nint queryStride, ref float row, int dim, ref float dst, nint dstStride)
        where TKernel : struct, IRowKernel
    {
        dst = TKernel.Score(ref query, ref row, dim);
        Unsafe.Add(ref dst, dstStride) = TKernel.Score(ref Unsafe.Add(ref query, queryStride), ref row, dim);
        Unsafe.Add(ref dst, 2 * dstStride) = TKernel.Score(ref Unsafe.Add(ref query, 2 * queryStride), ref row, dim);
        Unsafe.Add(ref dst, 3 * dstStride) = TKernel.Score(ref Unsafe.Add(ref query, 3 * queryStride), ref row, dim);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScoreRows4Singly<TKernel>(ref float query, ref float rows, int dim, ref float dst)
        where TKernel : struct, IRowKernel
    {
        dst = TKernel.Score(ref query, ref rows, dim);
        Unsafe.Add(ref dst, 1) = TKernel.Score(ref query, ref Unsafe.Add(ref rows, dim), dim);
        Unsafe.Add(ref dst, 2) = TKernel.Score(ref query, ref Unsafe.Add(ref rows, 2 * dim), dim);
        Unsafe.Add(ref dst, 3) = TKernel.Score(ref query, ref Unsafe.Add(ref rows, 3 * dim), dim);
    }
}
