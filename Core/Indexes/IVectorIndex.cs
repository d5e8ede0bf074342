using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes;

/// <summary>
/// A built ANN (or exact) index over the vectors of one sealed segment. Row ids are the segment's row numbers
/// (0..Count-1). Implementations are immutable after build/load and safe for concurrent searches.
/// </summary>
public interface IVectorIndex
{
    /// <summary>Milvus index type name: FLAT, HNSW, IVF_FLAT, IVF_SQ8, IVF_PQ, HNSW_SQ.</summary>
    string IndexType { get; }

    MetricType Metric { get; }

    int Dim { get; }

    int Count { get; }

    /// <summary>Bytes held in memory by the index (excluding the raw vectors it does not own).</summary>
    long MemoryBytes { get; }

    /// <summary>
    /// True when the index owns a bit-exact copy of every row's original vector that <see cref="CopyVectors"/> can
    /// read back, so a sealed segment may release its raw column while the index is loaded (Milvus does the same
    /// when the index "has raw data"). False for indexes that keep only codes or normalised (COSINE) vectors, and for
    /// indexes that reference the segment's vectors instead of owning them.
    /// </summary>
    bool HasRawVectors { get; }

    /// <summary>
    /// Copies the original vectors of rows <paramref name="firstRow"/> .. firstRow + dest.Length / Dim - 1 into
    /// <paramref name="dest"/> (a whole number of rows, row-major). Throws <see cref="NotSupportedException"/> when
    /// <see cref="HasRawVectors"/> is false.
    /// </summary>
    void CopyVectors(int firstRow, Span<float> dest);

    /// <summary>
    /// Pushes the best candidates for <paramref name="query"/> into <paramref name="collector"/> (its K is the topK)
    /// as (rowIdBase + row, score) with Milvus score conventions. <paramref name="filterBits"/>: bit set = row eligible;
    /// empty = all rows. <paramref name="range"/>: when set, only scores inside it are returned (range search).
    /// </summary>
    void Search(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits, IndexSearchParams searchParams,
        ScoreRange? range = null, long rowIdBase = 0);

    /// <summary>Serialized form (magic, version, checksums) that <see cref="VectorIndexFactory.Load"/> reads back.</summary>
    byte[] Serialize();
}

/// <summary>Argument checks shared by the <see cref="IVectorIndex.CopyVectors"/> implementations.</summary>
internal static class VectorIndexRows
{
    /// <summary>Rows that <paramref name="dest"/> holds; throws unless the index has raw vectors and the rows exist.</summary>
    public static int Validate(IVectorIndex index, int firstRow, Span<float> dest)
    {
        if (!index.HasRawVectors)
            throw new NotSupportedException($"a {index.IndexType} index on {index.Metric.ToMilvusName()} does not hold the original vectors");
        int dim = index.Dim;
        if (dest.Length % dim != 0)
            throw new ArgumentException($"destination holds {dest.Length} values, not a whole number of {dim}-dim rows", nameof(dest));
        int rows = dest.Length / dim;
        if (firstRow < 0 || firstRow > index.Count - rows)
            throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"rows {firstRow}..{firstRow + rows - 1} are outside 0..{index.Count - 1}");
        return rows;
    }
}

/// <summary>Per-search knobs (Milvus names). Zero = the index's default.</summary>
/// <param name="Ef">HNSW search list size.</param>
/// <param name="Nprobe">IVF lists probed.</param>
/// <param name="RefineK">Milvus's refine_k: k × this many candidates are re-scored with full-precision vectors (HNSW_SQ
/// with refine, IVF_PQ); other indexes ignore it (the Proxy refuses it for them).</param>
public readonly record struct IndexSearchParams(int Ef = 0, int Nprobe = 0, float RefineK = 0);
