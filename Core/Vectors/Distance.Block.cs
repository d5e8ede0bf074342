using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VectorAspire.Core.Vectors;

// Batch kernels: one query or many queries against a contiguous block of rows (row i = rows[i*dim .. (i+1)*dim)).
public static partial class Distance
{
    // Rows per tile in the many-queries kernels: about 32 KiB (at least 64 rows), so a tile stays in L1 (L2 for
    // large dims) while every group of four queries passes over it; each row is read from memory once per tile
    // instead of once per query. A multiple of 64 so tiles line up with filter bitset words.
    private const int TileBytes = 32 * 1024;

    internal static int RowsPerTile(int dim) => Math.Max(64, TileBytes / (dim * sizeof(float)) / 64 * 64);

    /// <summary>Scores one query against <c>scores.Length</c> rows. For Cosine the query must be unit length.</summary>
    public static void ComputeBlock(MetricType metric, ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int dim, Span<float> scores)
    {
        int rowCount = scores.Length;
        ValidateBlock(query.Length, dim, rows.Length, rowCount);
        if (query.Length != dim)
            ThrowLengthMismatch(query.Length, dim);
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float r = ref MemoryMarshal.GetReference(rows);
        switch (metric)
        {
            case MetricType.L2: Block<L2Kernel>(ref q, ref r, dim, scores); break;
            case MetricType.IP: Block<IPKernel>(ref q, ref r, dim, scores); break;
            case MetricType.Cosine: Block<CosineKernel>(ref q, ref r, dim, scores); break;
            default: ThrowUnknownMetric<int>(metric); break;
        }
    }

    /// <summary>
    /// Scores nq = <c>queries.Length / dim</c> queries against <paramref name="rowCount"/> rows into
    /// <paramref name="scores"/>, laid out query-major: score of (query j, row i) at <c>j * rowCount + i</c>.
    /// Rows are processed in L2-sized tiles so each row is loaded from memory once for all queries.
    /// Results are bit-identical to calling <see cref="ComputeBlock(MetricType, ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float})"/> per query.
    /// </summary>
    public static void ComputeBlockMany(MetricType metric, ReadOnlySpan<float> queries, ReadOnlySpan<float> rows, int dim, int rowCount, Span<float> scores)
    {
        ValidateBlock(queries.Length, dim, rows.Length, rowCount);
        if (queries.Length % dim != 0)
            throw new ArgumentException($"queries length {queries.Length} is not a multiple of dim {dim}", nameof(queries));
        int nq = queries.Length / dim;
        if ((long)scores.Length < (long)nq * rowCount)
            throw new ArgumentException($"scores holds {scores.Length} values, need {(long)nq * rowCount}", nameof(scores));
        ref float q = ref MemoryMarshal.GetReference(queries);
        ref float r = ref MemoryMarshal.GetReference(rows);
        switch (metric)
        {
            case MetricType.L2: BlockMany<L2Kernel>(ref q, nq, ref r, dim, rowCount, scores); break;
            case MetricType.IP: BlockMany<IPKernel>(ref q, nq, ref r, dim, rowCount, scores); break;
            case MetricType.Cosine: BlockMany<CosineKernel>(ref q, nq, ref r, dim, rowCount, scores); break;
            default: ThrowUnknownMetric<int>(metric); break;
        }
    }

    private static void Block<TKernel>(ref float query, ref float rows, int dim, Span<float> scores)
        where TKernel : struct, IRowKernel
    {
        FlatSearch.ScoreRun<TKernel>(ref query, ref rows, dim, scores.Length, scores.Length, ref MemoryMarshal.GetReference(scores));
    }

    private static void BlockMany<TKernel>(ref float queries, int nq, ref float rows, int dim, int rowCount, Span<float> scores)
        where TKernel : struct, IRowKernel
    {
        ref float s = ref MemoryMarshal.GetReference(scores);
        int tile = RowsPerTile(dim);
        for (int start = 0; start < rowCount; start += tile)
        {
            int end = Math.Min(rowCount, start + tile);
            int j = 0;
            for (; j + 4 <= nq; j += 4)
            {
                ref float q = ref Unsafe.Add(ref queries, (nint)j * dim);
                ref float sj = ref Unsafe.Add(ref s, (nint)j * rowCount);
                for (int i = start; i < end; i++)
                    TKernel.Score4(ref q, dim, ref Unsafe.Add(ref rows, (nint)i * dim), dim, ref Unsafe.Add(ref sj, i), rowCount);
            }
            for (; j < nq; j++)
            {
                ref float q = ref Unsafe.Add(ref queries, (nint)j * dim);
                ref float sj = ref Unsafe.Add(ref s, (nint)j * rowCount);
                for (int i = start; i < end; i++)
                    Unsafe.Add(ref sj, i) = TKernel.Score(ref q, ref Unsafe.Add(ref rows, (nint)i * dim), dim);
            }
        }
    }

    private static void ValidateBlock(int queryValues, int dim, int rowValues, int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (queryValues < dim)
            ThrowLengthMismatch(queryValues, dim);
        if ((long)rowValues < (long)rowCount * dim)
            throw new ArgumentException($"rows hold {rowValues} values, need {rowCount} x {dim}");
    }
}
