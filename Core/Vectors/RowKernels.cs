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
}
