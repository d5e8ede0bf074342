using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes;

/// <summary>Builds and loads indexes by Milvus index type name (one case per index type).</summary>
public static class VectorIndexFactory
{
    /// <summary>Index types with a real build; other vector index types are searched exactly.</summary>
    public static bool CanBuild(string indexType) => indexType.ToUpperInvariant() switch
    {
        "HNSW" or "HNSW_SQ" or "AUTOINDEX" => true,
        "IVF_FLAT" => true,
        "IVF_SQ8" => true,
        "IVF_PQ" => true,
        _ => false,
    };

    /// <param name="vectors">count × dim floats, row-major (row i = segment row i).</param>
    /// <param name="parameters">Milvus build parameters (M, efConstruction, nlist, m, nbits, ...), already validated.</param>
    public static IVectorIndex Build(string indexType, ReadOnlyMemory<float> vectors, int count, int dim, MetricType metric,
        IReadOnlyDictionary<string, string> parameters, int threads, CancellationToken cancellationToken)
        => indexType.ToUpperInvariant() switch
        {
            "HNSW" or "HNSW_SQ" => Hnsw.HnswIndex.Build(indexType, vectors.Span, count, dim, metric, parameters, threads, cancellationToken),
            "AUTOINDEX" => Hnsw.HnswIndex.Build("HNSW", vectors.Span, count, dim, metric, parameters, threads, cancellationToken),
            "FLAT" => new Flat.FlatIndex(vectors, count, dim, metric),
            "IVF_FLAT" => Ivf.IvfFlatIndex.Build(vectors, count, dim, metric, Ivf.IvfBuild.Options(parameters, threads), cancellationToken),
            "IVF_SQ8" => Ivf.IvfSq8Index.Build(vectors, count, dim, metric, Ivf.IvfBuild.Options(parameters, threads), cancellationToken),
            "IVF_PQ" => Ivf.IvfPqIndex.Build(vectors, count, dim, metric, Ivf.IvfBuild.Options(parameters, threads),
                Ivf.IvfBuild.Int(parameters, "m", Ivf.IvfPqIndex.DefaultM(dim), 1, dim), Ivf.IvfBuild.Int(parameters, "nbits", Ivf.IvfPqIndex.DefaultNbits, 1, 16),
                cancellationToken: cancellationToken),
            _ => throw new NotSupportedException($"index type {indexType} has no builder"),
        };

    /// <summary>False for the index types whose <see cref="Load"/> ignores the segment's vectors (HNSW keeps its own
    /// payload), so a loader need not materialize them.</summary>
    public static bool LoadReadsSegmentVectors(string indexType) => indexType.ToUpperInvariant() is not ("HNSW" or "HNSW_SQ" or "AUTOINDEX");

    /// <summary>Reads an index written by <see cref="IVectorIndex.Serialize"/> (throws on corruption). <paramref name="vectors"/>
    /// are the segment's raw vectors, for indexes that do not keep their own copy.</summary>
    public static IVectorIndex Load(string indexType, ReadOnlyMemory<byte> bytes, ReadOnlyMemory<float> vectors)
        => indexType.ToUpperInvariant() switch
        {
            "HNSW" or "HNSW_SQ" => Hnsw.HnswIndex.Load(bytes.Span, indexType),
            "AUTOINDEX" => Hnsw.HnswIndex.Load(bytes.Span, "HNSW"),
            "FLAT" => Flat.FlatIndex.Load(bytes.Span, vectors),
            "IVF_FLAT" => Ivf.IvfFlatIndex.Load(bytes.Span, vectors),
            "IVF_SQ8" => Ivf.IvfSq8Index.Load(bytes.Span, vectors),
            "IVF_PQ" => Ivf.IvfPqIndex.Load(bytes.Span, vectors),
            _ => throw new NotSupportedException($"index type {indexType} has no loader"),
        };
}
