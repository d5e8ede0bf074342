using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// IVF_PQ: each row is stored as m product-quantizer codes of nbits each (1 byte per code for nbits ≤ 8, else 2).
/// <para>The sub-quantizers are trained by k-means on the <b>raw sub-vectors</b> (not residuals to the coarse
/// centroid; unit-length rows for COSINE), so one asymmetric distance table per query (m × 2^nbits floats: the
/// L2 distance or inner product of each query sub-vector with each sub-centroid) serves every probed list, and a
/// row's approximate score is the sum of m table entries.</para>
/// <para><b>Re-rank (refine):</b> the scan keeps the best k × <see cref="RefineFactor"/> candidates by approximate
/// score, then recomputes their exact scores from the segment's raw vectors and returns the best k of those, so
/// returned scores are exact and recall is limited by the probed lists, not by the quantization. The factor is set
/// per index at build time (default <see cref="DefaultRefineFactor"/>, stored in the file); a search may override it
/// with Milvus's refine_k (<see cref="IndexSearchParams.RefineK"/>). Range search keeps
/// candidates whose exact score is in range, from the same k × factor candidate set (ranked by approximate score).</para>
/// </summary>
public sealed class IvfPqIndex : IvfIndex
{
    public const string TypeName = "IVF_PQ";
    public const int DefaultNbits = 8;
    public const int DefaultRefineFactor = 8;

    private readonly float[] _codebooks; // m × ksub × dsub
    private readonly byte[] _codes;      // position order, m codes per row (codeBytes each)
    private readonly int _m;
    private readonly int _nbits;
    private readonly int _ksub;
    private readonly int _dsub;
    private readonly int _codeBytes;

    private IvfPqIndex(MetricType metric, int dim, int count, float[] centroids, int[] offsets, int[] ids,
        int m, int nbits, int refineFactor, float[] codebooks, byte[] codes, ReadOnlyMemory<float> raw)
        : base(TypeName, metric, dim, count, centroids, offsets, ids, raw)
    {
        if (count > 0 && _raw.IsEmpty)
            throw new ArgumentException("IVF_PQ needs the segment's raw vectors to re-rank its candidates", nameof(raw));
        _m = m;
        _nbits = nbits;
        _ksub = 1 << nbits;
        _dsub = dim / m;
        _codeBytes = nbits <= 8 ? 1 : 2;
        RefineFactor = refineFactor;
        _codebooks = codebooks;
        _codes = codes;
    }

    public int M => _m;

    public int Nbits => _nbits;

    /// <summary>Candidates re-ranked per search: k × this, by exact score from the raw vectors.</summary>
    public int RefineFactor { get; }

    public override long MemoryBytes => ListMemoryBytes + _codes.Length + (_codebooks.Length * 4L);

    /// <summary>Milvus's m is required by Milvus; when absent this picks dim/4 rounded down to a divisor of dim
    /// (4-dimensional sub-vectors, one byte each at nbits 8: 16× smaller than float32).</summary>
    public static int DefaultM(int dim)
    {
        for (int m = Math.Max(1, dim / 4); m > 1; m--)
        {
            if (dim % m == 0)
                return m;
        }
        return 1;
    }

    /// <param name="vectors">count × dim row-major; kept by reference for the re-rank and the sparse-filter fallback.</param>
    public static IvfPqIndex Build(ReadOnlyMemory<float> vectors, int count, int dim, MetricType metric, IvfBuildOptions options,
        int m, int nbits = DefaultNbits, int refineFactor = DefaultRefineFactor, CancellationToken cancellationToken = default)
    {
        IvfBuild.Validate(vectors.Length, count, dim, metric, options);
        if (m < 1 || dim % m != 0)
            throw new ArgumentException($"IVF_PQ parameter m={m} must divide the vector dimension {dim}");
        ArgumentOutOfRangeException.ThrowIfLessThan(nbits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nbits, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(refineFactor, 1);
        var rows = WorkingRows(vectors, count, dim, metric);
        var (centroids, offsets, ids) = BuildLists(rows.Span, count, dim, metric, options, cancellationToken);
        int ksub = 1 << nbits, dsub = dim / m, codeBytes = nbits <= 8 ? 1 : 2;
        var codebooks = new float[m * ksub * dsub];
        var codes = new byte[(long)count * m * codeBytes];
        if (count > 0)
        {
            int sampleCount = (int)Math.Min(count, (long)Math.Max(1, options.TrainingRowsPerCode) * ksub);
            var picked = KMeans.SampleIndices(new Random(options.Seed + 1), count, sampleCount);
            Array.Sort(picked);
            var src = rows.Span;
            var sub = new float[(long)count * dsub];
            var assign = new int[count];
            for (int s = 0; s < m; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var sample = new float[sampleCount * dsub];
                for (int i = 0; i < sampleCount; i++)
                    src.Slice((picked[i] * dim) + (s * dsub), dsub).CopyTo(sample.AsSpan(i * dsub, dsub));
                var book = KMeans.Train(sample, sampleCount, dsub, ksub, options.TrainIterations, options.Seed + 2 + s, options.Threads, cancellationToken: cancellationToken);
                var dst = codebooks.AsSpan(s * ksub * dsub, ksub * dsub);
                book.CopyTo(dst);
                // Fewer training rows than codes: the unused codes repeat code 0 and are never chosen (ties go low).
                for (int j = book.Length / dsub; j < ksub; j++)
                    book.AsSpan(0, dsub).CopyTo(dst.Slice(j * dsub, dsub));
                // Sub-vectors in position order, so the codes come out in list order.
                for (int pos = 0; pos < count; pos++)
                    src.Slice((ids[pos] * dim) + (s * dsub), dsub).CopyTo(sub.AsSpan(pos * dsub, dsub));
                KMeans.Assign(sub, count, dsub, dst, ksub, MetricType.L2, assign, options.Threads, cancellationToken);
                for (int pos = 0; pos < count; pos++)
                {
                    long at = (((long)pos * m) + s) * codeBytes;
                    codes[at] = (byte)assign[pos];
                    if (codeBytes == 2)
                        codes[at + 1] = (byte)(assign[pos] >> 8);
                }
            }
        }
        return new IvfPqIndex(metric, dim, count, centroids, offsets, ids, m, nbits, refineFactor, codebooks, codes, vectors);
    }

    public override byte[] Serialize()
    {
        var w = new IvfFile.Writer(FileHeader(p0: _m, p1: _nbits, p2: RefineFactor),
            [_centroids.Length * 4L, _offsets.Length * 4L, _ids.Length * 4L, _codebooks.Length * 4L, _codes.Length]);
        w.Floats(_centroids);
        w.Ints(_offsets);
        w.Ints(_ids);
        w.Floats(_codebooks);
        w.Bytes(_codes);
        return w.Finish();
    }

    /// <param name="raw">the segment's raw vectors (count × dim); required, the re-rank reads them.</param>
    public static IvfPqIndex Load(ReadOnlySpan<byte> bytes, ReadOnlyMemory<float> raw)
    {
        var reader = new IvfFile.Reader(bytes, TypeName, out var h);
        int m = h.P0, nbits = h.P1, refine = h.P2;
        if (m < 1 || h.Dim % m != 0 || nbits < 1 || nbits > 16 || refine < 1)
            throw reader.Corrupt($"invalid PQ parameters m={m} nbits={nbits} refine={refine} for dim {h.Dim}");
        int ksub = 1 << nbits, codeBytes = nbits <= 8 ? 1 : 2;
        var centroids = reader.Floats((long)h.Nlist * h.Dim);
        var offsets = reader.Ints(h.Nlist + 1L);
        var ids = reader.Ints(h.Count);
        var codebooks = reader.Floats((long)ksub * h.Dim);
        var codes = reader.Bytes((long)h.Count * m * codeBytes);
        reader.End();
        ValidateLists(ref reader, offsets, ids, h.Count);
        if (nbits != 8)
        {
            for (long i = 0; i < codes.Length; i += codeBytes)
            {
                int code = codeBytes == 1 ? codes[i] : codes[i] | (codes[i + 1] << 8);
                if (code >= ksub)
                    throw reader.Corrupt($"PQ code {code} at byte {i} is not below 2^{nbits}");
            }
        }
        return new IvfPqIndex(h.Metric, h.Dim, h.Count, centroids, offsets, ids, m, nbits, refine, codebooks, codes, raw);
    }

    private protected override void ScanLists<TRows, TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> query, ReadOnlySpan<float> originalQuery,
        TopKCollector collector, ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase, IvfScratch scratch)
    {
        // A range search never re-ranks fewer than the build-time factor: rows better than range_filter take candidate
        // slots without being returned, so a small refine_k would crowd the in-range rows out.
        bool isRange = typeof(TRange) != typeof(AcceptAll);
        double factor = scratch.RefineK > 0 ? scratch.RefineK : RefineFactor;
        if (isRange)
            factor = Math.Max(factor, RefineFactor);
        int k = (int)Math.Min(Math.Ceiling(collector.K * factor), Count);
        var candidates = scratch.Candidates(k, collector.Metric);
        var table = IvfScratch.Ensure(ref scratch.Table, _m * _ksub);
        BuildTable(query, table);
        if (_codeBytes == 1)
            Scan<ByteCodes, TRows>(probes, table, candidates, filterBits);
        else
            Scan<ShortCodes, TRows>(probes, table, candidates, filterBits);

        var candidateIds = IvfScratch.Ensure(ref scratch.CandidateIds, k);
        var candidateScores = IvfScratch.Ensure(ref scratch.CandidateScores, k);
        int n = candidates.CopySorted(candidateIds, candidateScores);
        var raw = _raw.Span;
        int dim = Dim;
        ref float q = ref MemoryMarshal.GetReference(Metric == MetricType.Cosine ? query : originalQuery);
        ref float rows = ref MemoryMarshal.GetReference(raw);
        for (int i = 0; i < n; i++)
        {
            int row = (int)candidateIds[i];
            ref float r = ref Unsafe.Add(ref rows, (nint)row * dim);
            float s = Metric switch
            {
                MetricType.L2 => L2Kernel.Score(ref q, ref r, dim),
                MetricType.IP => IPKernel.Score(ref q, ref r, dim),
                _ => CosineKernel.Score(ref q, ref r, dim),
            };
            if (range.Accept(s))
                collector.Push(rowIdBase + row, s);
        }
    }

    /// <summary>table[s × ksub + j] = score of query sub-vector s against sub-centroid j (L2, or IP for IP/COSINE).</summary>
    private void BuildTable(ReadOnlySpan<float> query, float[] table)
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float books = ref MemoryMarshal.GetArrayDataReference(_codebooks);
        ref float t = ref MemoryMarshal.GetArrayDataReference(table);
        bool l2 = ScanMetric == MetricType.L2;
        for (int s = 0; s < _m; s++)
        {
            ref float qs = ref Unsafe.Add(ref q, s * _dsub);
            ref float bs = ref Unsafe.Add(ref books, s * _ksub * _dsub);
            ref float ts = ref Unsafe.Add(ref t, s * _ksub);
            if (l2)
                FlatSearch.ScoreRun<L2Kernel>(ref qs, ref bs, _dsub, _ksub, _ksub, ref ts);
            else
                FlatSearch.ScoreRun<IPKernel>(ref qs, ref bs, _dsub, _ksub, _ksub, ref ts);
        }
    }

    private void Scan<TCodes, TRows>(ReadOnlySpan<int> probes, float[] table, TopKCollector candidates, ReadOnlySpan<ulong> filterBits)
        where TCodes : struct, IPqCodes
        where TRows : struct, IRowFilterMode
    {
        ref float t = ref MemoryMarshal.GetArrayDataReference(table);
        ref byte codes = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref int ids = ref MemoryMarshal.GetArrayDataReference(_ids);
        int m = _m, ksub = _ksub, rowBytes = m * _codeBytes;
        foreach (int list in probes)
        {
            int end = _offsets[list + 1];
            for (int pos = _offsets[list]; pos < end; pos++)
            {
                int row = Unsafe.Add(ref ids, pos);
                if (TRows.Enabled && !RowFilter.IsSet(filterBits, row))
                    continue;
                float s = TCodes.Score(ref t, ref Unsafe.Add(ref codes, (nint)pos * rowBytes), m, ksub);
                candidates.Push(row, s);
            }
        }
    }
}

/// <summary>Sums a row's m table entries; 1- or 2-byte codes.</summary>
internal interface IPqCodes
{
    static abstract float Score(ref float table, ref byte code, int m, int ksub);
}

internal readonly struct ByteCodes : IPqCodes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float table, ref byte code, int m, int ksub)
    {
        // Eight codes per 64-bit load, the table pointer stepping one sub-table per code, and four partial sums to
        // break the add dependency chain. The summation order is fixed, so scores are deterministic.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        ref float t = ref table;
        int j = 0;
        for (; j + 8 <= m; j += 8)
        {
            ulong c = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref code, j));
            s0 += Unsafe.Add(ref t, (int)(c & 0xFF));
            s1 += Unsafe.Add(ref t, ksub + (int)((c >> 8) & 0xFF));
            s2 += Unsafe.Add(ref t, (2 * ksub) + (int)((c >> 16) & 0xFF));
            s3 += Unsafe.Add(ref t, (3 * ksub) + (int)((c >> 24) & 0xFF));
            s0 += Unsafe.Add(ref t, (4 * ksub) + (int)((c >> 32) & 0xFF));
            s1 += Unsafe.Add(ref t, (5 * ksub) + (int)((c >> 40) & 0xFF));
            s2 += Unsafe.Add(ref t, (6 * ksub) + (int)((c >> 48) & 0xFF));
            s3 += Unsafe.Add(ref t, (7 * ksub) + (int)(c >> 56));
            t = ref Unsafe.Add(ref t, 8 * ksub);
        }
        for (; j < m; j++)
        {
            s0 += Unsafe.Add(ref t, Unsafe.Add(ref code, j));
            t = ref Unsafe.Add(ref t, ksub);
        }
        return (s0 + s1) + (s2 + s3);
    }
}

internal readonly struct ShortCodes : IPqCodes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ref float table, ref byte code, int m, int ksub)
    {
        float s = 0;
        for (int j = 0; j < m; j++)
            s += Unsafe.Add(ref table, (j * ksub) + Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref code, 2 * j)));
        return s;
    }
}
