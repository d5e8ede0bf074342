using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// IVF_SQ8: the inverted lists hold each row as one byte per dimension, quantized per dimension between the
/// minimum and maximum of that dimension over the segment (code = round((x − min) / scale), scale = (max − min) / 255),
/// a quarter of IVF_FLAT's bytes. Lists are scanned with <see cref="ISq8Kernel"/>, which decodes on the fly.
/// Scores are those of the decoded rows (approximate); there is no re-rank.
/// </summary>
public sealed class IvfSq8Index : IvfIndex
{
    public const string TypeName = "IVF_SQ8";

    private const int DenseRunRows = 48;

    private readonly float[] _min;
    private readonly float[] _scale;
    private readonly byte[] _codes;
    private readonly int _stride;

    private IvfSq8Index(MetricType metric, int dim, int count, float[] centroids, int[] offsets, int[] ids,
        float[] min, float[] scale, byte[] codes, ReadOnlyMemory<float> raw)
        : base(TypeName, metric, dim, count, centroids, offsets, ids, raw)
    {
        _min = min;
        _scale = scale;
        _codes = codes;
        _stride = Sq8Kernels.Stride(dim);
    }

    public override long MemoryBytes => ListMemoryBytes + _codes.Length + ((_min.Length + _scale.Length) * 4L);

    /// <param name="vectors">count × dim row-major; kept by reference for the sparse-filter exact fallback.</param>
    public static IvfSq8Index Build(ReadOnlyMemory<float> vectors, int count, int dim, MetricType metric, IvfBuildOptions options,
        CancellationToken cancellationToken = default)
    {
        IvfBuild.Validate(vectors.Length, count, dim, metric, options);
        var rows = WorkingRows(vectors, count, dim, metric);
        var (centroids, offsets, ids) = BuildLists(rows.Span, count, dim, metric, options, cancellationToken);
        var src = rows.Span;
        var min = new float[dim];
        var max = new float[dim];
        if (count > 0)
        {
            src[..dim].CopyTo(min);
            src[..dim].CopyTo(max);
        }
        for (int i = 1; i < count; i++)
        {
            var row = src.Slice(i * dim, dim);
            for (int d = 0; d < dim; d++)
            {
                min[d] = Math.Min(min[d], row[d]);
                max[d] = Math.Max(max[d], row[d]);
            }
        }
        var scale = new float[dim];
        for (int d = 0; d < dim; d++)
            scale[d] = (max[d] - min[d]) / 255f;
        int stride = Sq8Kernels.Stride(dim);
        var codes = new byte[(long)count * stride];
        for (int pos = 0; pos < count; pos++)
            Encode(src.Slice(ids[pos] * dim, dim), min, scale, codes.AsSpan(pos * stride, stride));
        return new IvfSq8Index(metric, dim, count, centroids, offsets, ids, min, scale, codes, vectors);
    }

    internal static void Encode(ReadOnlySpan<float> row, float[] min, float[] scale, Span<byte> code)
    {
        for (int d = 0; d < row.Length; d++)
        {
            float v = scale[d] > 0 ? MathF.Round((row[d] - min[d]) / scale[d]) : 0f;
            code[d] = (byte)Math.Clamp(v, 0f, 255f);
        }
    }

    public override byte[] Serialize()
    {
        var w = new IvfFile.Writer(FileHeader(p0: _stride),
            [_centroids.Length * 4L, _offsets.Length * 4L, _ids.Length * 4L, _min.Length * 4L, _scale.Length * 4L, _codes.Length]);
        w.Floats(_centroids);
        w.Ints(_offsets);
        w.Ints(_ids);
        w.Floats(_min);
        w.Floats(_scale);
        w.Bytes(_codes);
        return w.Finish();
    }

    /// <param name="raw">the segment's raw vectors for the sparse-filter fallback; may be empty (then a very
    /// selective filter scans every list instead).</param>
    public static IvfSq8Index Load(ReadOnlySpan<byte> bytes, ReadOnlyMemory<float> raw)
    {
        var reader = new IvfFile.Reader(bytes, TypeName, out var h);
        int stride = Sq8Kernels.Stride(h.Dim);
        if (h.P0 != stride || h.P1 != 0 || h.P2 != 0)
            throw reader.Corrupt($"code stride {h.P0} does not match dim {h.Dim}");
        var centroids = reader.Floats((long)h.Nlist * h.Dim);
        var offsets = reader.Ints(h.Nlist + 1L);
        var ids = reader.Ints(h.Count);
        var min = reader.Floats(h.Dim);
        var scale = reader.Floats(h.Dim);
        var codes = reader.Bytes((long)h.Count * stride);
        reader.End();
        ValidateLists(ref reader, offsets, ids, h.Count);
        return new IvfSq8Index(h.Metric, h.Dim, h.Count, centroids, offsets, ids, min, scale, codes, raw);
    }

    private protected override void ScanLists<TRows, TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> query, ReadOnlySpan<float> originalQuery,
        TopKCollector collector, ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase, IvfScratch scratch)
    {
        int dim = Dim, stride = _stride;
        var aux = IvfScratch.Ensure(ref scratch.QueryAux, 2 * stride);
        var a = aux.AsSpan(0, stride);
        var b = aux.AsSpan(stride, stride);
        a.Clear();
        b.Clear();
        if (ScanMetric == MetricType.L2)
        {
            for (int d = 0; d < dim; d++)
            {
                a[d] = query[d] - _min[d];
                b[d] = _scale[d];
            }
            Scan<Sq8L2, TRows, TRange>(probes, a, b, 0f, collector, filterBits, range, rowIdBase);
        }
        else
        {
            double bias = 0;
            for (int d = 0; d < dim; d++)
            {
                a[d] = query[d] * _scale[d];
                bias += (double)query[d] * _min[d];
            }
            Scan<Sq8IP, TRows, TRange>(probes, a, b, (float)bias, collector, filterBits, range, rowIdBase);
        }
    }

    private void Scan<TKernel, TRows, TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> qa, ReadOnlySpan<float> qb, float bias,
        TopKCollector collector, ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase)
        where TKernel : struct, ISq8Kernel
        where TRows : struct, IRowFilterMode
        where TRange : struct, IScoreFilter
    {
        var buffer = default(ScoreBuffer64);
        ref float scores = ref buffer[0];
        ref float a = ref MemoryMarshal.GetReference(qa);
        ref float b = ref MemoryMarshal.GetReference(qb);
        ref byte codes = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref int ids = ref MemoryMarshal.GetArrayDataReference(_ids);
        int stride = _stride;
        foreach (int list in probes)
        {
            int end = _offsets[list + 1];
            for (int start = _offsets[list]; start < end; start += 64)
            {
                int n = Math.Min(64, end - start);
                ref byte run = ref Unsafe.Add(ref codes, (nint)start * stride);
                if (!TRows.Enabled)
                {
                    ScoreRun<TKernel>(ref a, ref b, ref run, stride, n, ref scores);
                    for (int i = 0; i < n; i++)
                    {
                        float s = Unsafe.Add(ref scores, i) + bias;
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
                    ScoreRun<TKernel>(ref a, ref b, ref run, stride, n, ref scores);
                while (mask != 0)
                {
                    int i = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    float s = (dense ? Unsafe.Add(ref scores, i) : TKernel.Row(ref a, ref b, ref Unsafe.Add(ref run, (nint)i * stride), stride)) + bias;
                    if (range.Accept(s))
                        collector.Push(rowIdBase + Unsafe.Add(ref ids, start + i), s);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ScoreRun<TKernel>(ref float a, ref float b, ref byte codes, int stride, int count, ref float scores)
        where TKernel : struct, ISq8Kernel
    {
        int i = 0;
        for (; i + 4 <= count; i += 4)
            TKernel.Rows4(ref a, ref b, ref Unsafe.Add(ref codes, (nint)i * stride), stride, ref Unsafe.Add(ref scores, i));
        for (; i < count; i++)
            Unsafe.Add(ref scores, i) = TKernel.Row(ref a, ref b, ref Unsafe.Add(ref codes, (nint)i * stride), stride);
    }
}
