using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Flat;

/// <summary>
/// Exact index over the segment's raw vectors (Milvus FLAT): no copy, no build, <see cref="FlatSearch"/> per query.
/// It is also the recall oracle for the approximate indexes. Serialized form is a 16-byte header only; the vectors
/// come back from the segment on load.
/// </summary>
public sealed class FlatIndex : IVectorIndex
{
    private const uint Magic = 0x54414C46; // "FLAT"
    private readonly ReadOnlyMemory<float> _vectors;

    public FlatIndex(ReadOnlyMemory<float> vectors, int count, int dim, MetricType metric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)vectors.Length < (long)count * dim)
            throw new ArgumentException($"vectors hold {vectors.Length} values, need {count} x {dim}", nameof(vectors));
        _vectors = vectors;
        Count = count;
        Dim = dim;
        Metric = metric;
    }

    public string IndexType => "FLAT";

    public MetricType Metric { get; }

    public int Dim { get; }

    public int Count { get; }

    public long MemoryBytes => 0;

    /// <summary>False: FLAT reads the segment's own vectors, so the segment must keep them.</summary>
    public bool HasRawVectors => false;

    public void CopyVectors(int firstRow, Span<float> dest) => VectorIndexRows.Validate(this, firstRow, dest);

    public void Search(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits, IndexSearchParams searchParams,
        ScoreRange? range = null, long rowIdBase = 0)
    {
        var rows = _vectors.Span;
        if (range is { } r)
            FlatSearch.SearchRange(rows, Dim, Count, query, Metric, r, collector, rowIdBase, filterBits);
        else
            FlatSearch.Search(rows, Dim, Count, query, Metric, collector, rowIdBase, filterBits);
    }

    public byte[] Serialize()
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), (int)Metric);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Dim);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), Count);
        return bytes;
    }

    public static FlatIndex Load(ReadOnlySpan<byte> bytes, ReadOnlyMemory<float> vectors)
    {
        if (bytes.Length != 16 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException("FLAT index file is corrupt: bad length or magic");
        int metric = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (metric is < 0 or > 2)
            throw new InvalidDataException($"FLAT index file is corrupt: metric {metric}");
        return new FlatIndex(vectors, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]), (MetricType)metric);
    }
}
