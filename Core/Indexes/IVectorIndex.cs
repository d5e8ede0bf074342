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
    /// Pushes the best candidates for <paramref name="query"/> into <paramref name="collector"/> (its K is the topK)
    /// as (rowIdBase + row, score) with Milvus score conventions. <paramref name="filterBits"/>: bit set = row eligible;
    /// empty = all rows. <paramref name="range"/>: when set, only scores inside it are returned (range search).
    /// </summary>
    void Search(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits, IndexSearchParams searchParams,
        ScoreRange? range = null, long rowIdBase = 0);

    /// <summary>Serialized form (magic, version, checksums) that <see cref="VectorIndexFactory.Load"/> reads back.</summary>
    byte[] Serialize();
}

/// <summary>Per-search knobs (Milvus names). Zero = the index's default.</summary>
/// <param name="Ef">HNSW search list size.</param>
/// <param name="Nprobe">IVF lists probed.</param>
/// <param name="RefineK">Milvus's refine_k: k × this many candidates are re-scored with full-precision vectors (HNSW_SQ
/// with refine, IVF_PQ); other indexes ignore it (the Proxy refuses it for them).</param>
public readonly record struct IndexSearchParams(int Ef = 0, int Nprobe = 0, float RefineK = 0);
