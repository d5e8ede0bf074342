using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// IVF_FLAT: the inverted lists hold full float32 copies of the rows (unit length for COSINE), stored in list
/// order so each probed list is scanned with the block kernel as one contiguous run. With nprobe = nlist the
/// search is exact.
/// <para>For L2 and IP the lists hold the rows bit for bit, so the index owns the raw vectors: it keeps a row → list
/// position map, serves <see cref="CopyVectors"/> and scores the sparse-filter fallback from its own copy, and never
/// references the segment's vectors (which the segment can then release). COSINE lists hold unit-length rows: the
/// fallback uses the segment's vectors as for the other IVF indexes.</para>
/// </summary>
public sealed class IvfFlatIndex : IvfIndex
{
    public const string TypeName = "IVF_FLAT";

    // A filter word-equivalent (64 positions) with at least this many eligible rows is scored as a dense run.
    private const int DenseRunRows = 48;

    private readonly float[] _vectors;

    /// <summary>List position of each row (L2 and IP only; null for COSINE).</summary>
    private readonly int[]? _rowPositions;

    private IvfFlatIndex(MetricType metric, int dim, int count, float[] centroids, int[] offsets, int[] ids, float[] vectors, ReadOnlyMemory<float> raw)
        : base(TypeName, metric, dim, count, centroids, offsets, ids, metric == MetricType.Cosine ? raw : default)
    {
        _vectors = vectors;
        if (metric != MetricType.Cosine)
        {
            _rowPositions = new int[count];
            for (int pos = 0; pos < count; pos++)
                _rowPositions[ids[pos]] = pos;
        }
    }

    public override long MemoryBytes => ListMemoryBytes + ((long)_vectors.Length * sizeof(float)) + (4L * (_rowPositions?.Length ?? 0));

    public override bool HasRawVectors => _rowPositions is not null;

    public override void CopyVectors(int firstRow, Span<float> dest)
    {
        int rows = VectorIndexRows.Validate(this, firstRow, dest);
        int dim = Dim;
        var positions = _rowPositions!;
        for (int i = 0; i < rows; i++)
            _vectors.AsSpan(positions[firstRow + i] * dim, dim).CopyTo(dest.Slice(i * dim, dim));
    }

    /// <param name="vectors">count × dim row-major; kept by reference for the sparse-filter exact fallback (COSINE only).</param>
    public static IvfFlatIndex Build(ReadOnlyMemory<float> vectors, int count, int dim, MetricType metric, IvfBuildOptions options,
        CancellationToken cancellationToken = default)
    {
        IvfBuild.Validate(vectors.Length, count, dim, metric, options);
        var rows = WorkingRows(vectors, count, dim, metric);
        var (centroids, offsets, ids) = BuildLists(rows.Span, count, dim, metric, options, cancellationToken);
        var packed = new float[(long)count * dim];
        var src = rows.Span;
        for (int pos = 0; pos < count; pos++)
            src.Slice(ids[pos] * dim, dim).CopyTo(packed.AsSpan(pos * dim, dim));
        return new IvfFlatIndex(metric, dim, count, centroids, offsets, ids, packed, vectors);
    }

    public override byte[] Serialize()
    {
        var w = new IvfFile.Writer(FileHeader(), [_centroids.Length * 4L, _offsets.Length * 4L, _ids.Length * 4L, _vectors.Length * 4L]);
        w.Floats(_centroids);
        w.Ints(_offsets);
        w.Ints(_ids);
        w.Floats(_vectors);
        return w.Finish();
    }

    /// <param name="raw">the segment's raw vectors for the sparse-filter fallback of a COSINE index (ignored for L2 and
    /// IP); may be empty (then a very selective filter scans every list instead).</param>
    public static IvfFlatIndex Load(ReadOnlySpan<byte> bytes, ReadOnlyMemory<float> raw)
    {
        var reader = new IvfFile.Reader(bytes, TypeName, out var h);
        if (h.P0 != 0 || h.P1 != 0 || h.P2 != 0)
            throw reader.Corrupt("unexpected IVF_FLAT header parameters");
        var centroids = reader.Floats((long)h.Nlist * h.Dim);
        var offsets = reader.Ints(h.Nlist + 1L);
        var ids = reader.Ints(h.Count);
        var vectors = reader.Floats((long)h.Count * h.Dim);
        reader.End();
        ValidateLists(ref reader, offsets, ids, h.Count);
        return new IvfFlatIndex(h.Metric, h.Dim, h.Count, centroids, offsets, ids, vectors, raw);
    }

    private protected override bool TrySearchEligibleExactly(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits,
        ScoreRange? range, long rowIdBase)
    {
        if (_rowPositions is null)
            return base.TrySearchEligibleExactly(query, collector, filterBits, range, rowIdBase);
        if (Metric == MetricType.L2)
        {
            if (range is { } r)
                ScoreEligible<L2Kernel, DistanceRange>(query, collector, filterBits, new DistanceRange(r.RangeFilter, r.Radius), rowIdBase);
            else
                ScoreEligible<L2Kernel, AcceptAll>(query, collector, filterBits, default, rowIdBase);
        }
        else if (range is { } r)
        {
            ScoreEligible<IPKernel, SimilarityRange>(query, collector, filterBits, new SimilarityRange(r.Radius, r.RangeFilter), rowIdBase);
        }
        else
        {
            ScoreEligible<IPKernel, AcceptAll>(query, collector, filterBits, default, rowIdBase);
        }
        return true;
    }

    /// <summary>Exact scores of the eligible rows, each read from its list position.</summary>
    private void ScoreEligible<TKernel, TRange>(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits, TRange range,
        long rowIdBase)
        where TKernel : struct, IRowKernel
        where TRange : struct, IScoreFilter
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float vectors = ref MemoryMarshal.GetArrayDataReference(_vectors);
        var positions = _rowPositions!;
        int dim = Dim;
        int words = (Count + 63) >> 6;
        for (int w = 0; w < words; w++)
        {
            ulong word = filterBits[w];
            if (w == words - 1 && (Count & 63) != 0)
                word &= (1UL << (Count & 63)) - 1;
            while (word != 0)
            {
                int row = (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                float s = TKernel.Score(ref q, ref Unsafe.Add(ref vectors, (nint)positions[row] * dim), dim);
                if (range.Accept(s))
                    collector.Push(rowIdBase + row, s);
            }
        }
    }

    private protected override void ScanLists<TRows, TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> query, ReadOnlySpan<float> originalQuery,
        TopKCollector collector, ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase, IvfScratch scratch)
    {
        if (ScanMetric == MetricType.L2)
            Scan<L2Kernel, TRows, TRange>(probes, query, collector, filterBits, range, rowIdBase);
        else
            Scan<IPKernel, TRows, TRange>(probes, query, collector, filterBits, range, rowIdBase);
    }

    private void Scan<TKernel, TRows, TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> query, TopKCollector collector,
        ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase)
        where TKernel : struct, IRowKernel
        where TRows : struct, IRowFilterMode
        where TRange : struct, IScoreFilter
    {
        var buffer = default(ScoreBuffer64);
        ref float scores = ref buffer[0];
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float vectors = ref MemoryMarshal.GetArrayDataReference(_vectors);
        ref int ids = ref MemoryMarshal.GetArrayDataReference(_ids);
        int dim = Dim;
        foreach (int list in probes)
        {
            int end = _offsets[list + 1];
            for (int start = _offsets[list]; start < end; start += 64)
            {
                int n = Math.Min(64, end - start);
                ref float run = ref Unsafe.Add(ref vectors, (nint)start * dim);
                if (!TRows.Enabled)
                {
                    FlatSearch.ScoreRun<TKernel>(ref q, ref run, dim, n, end - start, ref scores);
                    for (int i = 0; i < n; i++)
                    {
                        float s = Unsafe.Add(ref scores, i);
                        if (range.Accept(s))
                            collector.Push(rowIdBase + Unsafe.Add(ref ids, start + i), s);
                    }
                    continue;
                }
                ulong mask = 0;
                for (int i = 0; i < n; i++)
                {
                    if (RowFilter.IsSet(filterBits, Unsafe.Add(ref ids, start + i)))
                        mask |= 1UL << i;
                }
                if (mask == 0)
                    continue;
                bool dense = BitOperations.PopCount(mask) >= DenseRunRows;
                if (dense)
                    FlatSearch.ScoreRun<TKernel>(ref q, ref run, dim, n, end - start, ref scores);
                while (mask != 0)
                {
                    int i = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    float s = dense ? Unsafe.Add(ref scores, i) : TKernel.Score(ref q, ref Unsafe.Add(ref run, (nint)i * dim), dim);
                    if (range.Accept(s))
                        collector.Push(rowIdBase + Unsafe.Add(ref ids, start + i), s);
                }
            }
        }
    }
}
