using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Vectors;

/// <summary>One query-vs-row score. Implemented by structs so generic block loops are specialised per metric and
/// the kernel call is inlined (no delegate, no virtual call per row).</summary>
internal interface IRowKernel
{
    static abstract float Score(ref float query, ref float row, int dim);
}

internal readonly struct L2Kernel : IRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float query, ref float row, int dim) => Distance.L2Squared(ref query, ref row, dim);
}

internal readonly struct IPKernel : IRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float query, ref float row, int dim) => Distance.InnerProduct(ref query, ref row, dim);
}

/// <summary>Query must be unit length.</summary>
internal readonly struct CosineKernel : IRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float query, ref float row, int dim) => Distance.CosineUnitQuery(ref query, ref row, dim);
}
