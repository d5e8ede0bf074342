using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace VectorAspire.Core.Vectors;

/// <summary>
/// Exact search over one contiguous block of rows (row i = rows[i*dim .. (i+1)*dim), id = rowIdBase + i).
/// <para>Filter: an empty <c>filterBits</c> means every row is eligible; otherwise bit i (word i/64, bit i%64) set
/// means row i is eligible, and the span must cover rowCount bits. Rows are visited 64 at a time, one bitset word
/// each: a full (or ≥ 75% full) word is scored as a dense run, an empty word is skipped, and a sparser word visits
/// only its set bits, so sparse filters cost in proportion to the rows they keep.</para>
/// <para>Cosine: the query may have any norm; it is normalised into a scratch buffer (stack or pool), so the
/// search allocates nothing after warm-up. Collectors are not reset: several blocks (segments) can feed one
/// collector, with distinct rowIdBase values.</para>
/// </summary>
public static class FlatSearch
{
    private const int StackQueryFloats = 1024;
    private const int PrefetchDistanceBytes = 4096;

    // A filter word with at least this many eligible rows is scored as a dense run (see Scan).
    private const int DenseWordBits = 48;

    public static void Search(
        ReadOnlySpan<float> rows, int dim, int rowCount, ReadOnlySpan<float> query, MetricType metric,
        TopKCollector collector, long rowIdBase = 0, ReadOnlySpan<ulong> filterBits = default)
    {
        ArgumentNullException.ThrowIfNull(collector);
        Validate(rows, dim, rowCount, query, 1, metric, collector.Metric, filterBits);
        SearchOne(rows, dim, rowCount, query, metric, collector, rowIdBase, filterBits, default(AcceptAll));
    }

    /// <summary>Range search: the best <c>collector.K</c> rows whose score lies in <paramref name="range"/>.</summary>
    public static void SearchRange(
        ReadOnlySpan<float> rows, int dim, int rowCount, ReadOnlySpan<float> query, MetricType metric,
        ScoreRange range, TopKCollector collector, long rowIdBase = 0, ReadOnlySpan<ulong> filterBits = default)
    {
        ArgumentNullException.ThrowIfNull(collector);
        Validate(rows, dim, rowCount, query, 1, metric, collector.Metric, filterBits);
        if (range.Metric != metric)
            throw new ArgumentException($"range was built for {range.Metric.ToMilvusName()}, search metric is {metric.ToMilvusName()}", nameof(range));
        if (metric == MetricType.L2)
            SearchOne(rows, dim, rowCount, query, metric, collector, rowIdBase, filterBits, new DistanceRange(range.RangeFilter, range.Radius));
        else
            SearchOne(rows, dim, rowCount, query, metric, collector, rowIdBase, filterBits, new SimilarityRange(range.Radius, range.RangeFilter));
    }

    /// <summary>
    /// nq = <c>collectors.Length</c> queries (<c>queries</c> holds nq x dim values) over the same block, query j
    /// feeding <c>collectors[j]</c>. Rows are scanned in L1-sized tiles (<see cref="Distance.ComputeBlockMany"/>)
    /// and scored for four queries per row load; results are identical to nq calls of <see cref="Search"/>.
    /// </summary>
    public static void SearchBatch(
        ReadOnlySpan<float> rows, int dim, int rowCount, ReadOnlySpan<float> queries, MetricType metric,
        ReadOnlySpan<TopKCollector> collectors, long rowIdBase = 0, ReadOnlySpan<ulong> filterBits = default)
    {
        int nq = collectors.Length;
        foreach (var c in collectors)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(collectors));
            if (c.Metric != metric)
                ThrowMetricMismatch(metric, c.Metric);
        }
        Validate(rows, dim, rowCount, queries, nq, metric, metric, filterBits);
        if (nq == 0 || rowCount == 0)
            return;

        float[]? pooled = null;
        if (metric == MetricType.Cosine)
        {
            pooled = ArrayPool<float>.Shared.Rent(nq * dim);
            var unit = pooled.AsSpan(0, nq * dim);
            queries[..(nq * dim)].CopyTo(unit);
            for (int j = 0; j < nq; j++)
                Distance.Normalize(unit.Slice(j * dim, dim));
            queries = unit;
        }
        try
        {
            switch (metric)
            {
                case MetricType.L2: ScanBatch<L2Kernel>(rows, dim, rowCount, queries, collectors, rowIdBase, filterBits); break;
                case MetricType.IP: ScanBatch<IPKernel>(rows, dim, rowCount, queries, collectors, rowIdBase, filterBits); break;
                default: ScanBatch<CosineKernel>(rows, dim, rowCount, queries, collectors, rowIdBase, filterBits); break;
            }
        }
        finally
        {
            if (pooled is not null)
                ArrayPool<float>.Shared.Return(pooled);
        }
    }

    [SkipLocalsInit] // the cosine query scratch is fully overwritten
    private static void SearchOne<TFilter>(
        ReadOnlySpan<float> rows, int dim, int rowCount, ReadOnlySpan<float> query, MetricType metric,
        TopKCollector collector, long rowIdBase, ReadOnlySpan<ulong> filterBits, TFilter accept)
        where TFilter : struct, IScoreFilter
    {
        if (rowCount == 0)
            return;
        ref float r = ref MemoryMarshal.GetReference(rows);
        switch (metric)
        {
            case MetricType.L2:
                Scan<L2Kernel, TFilter>(ref r, dim, rowCount, ref MemoryMarshal.GetReference(query), collector, rowIdBase, filterBits, accept);
                return;
            case MetricType.IP:
                Scan<IPKernel, TFilter>(ref r, dim, rowCount, ref MemoryMarshal.GetReference(query), collector, rowIdBase, filterBits, accept);
                return;
        }

        float[]? pooled = null;
        Span<float> unit = dim <= StackQueryFloats
            ? stackalloc float[StackQueryFloats]
            : (pooled = ArrayPool<float>.Shared.Rent(dim));
        unit = unit[..dim];
        query[..dim].CopyTo(unit);
        Distance.Normalize(unit);
        Scan<CosineKernel, TFilter>(ref r, dim, rowCount, ref MemoryMarshal.GetReference(unit), collector, rowIdBase, filterBits, accept);
        if (pooled is not null)
            ArrayPool<float>.Shared.Return(pooled);
    }

    private static void ScanBatch<TKernel>(
        ReadOnlySpan<float> rows, int dim, int rowCount, ReadOnlySpan<float> queries,
        ReadOnlySpan<TopKCollector> collectors, long rowIdBase, ReadOnlySpan<ulong> filterBits)
        where TKernel : struct, IRowKernel
    {
        // scores of query k of the current group for row i of the current 64-row word at buffer[k * 64 + i]
        var buffer = default(ScoreBuffer256);
        ref float scores = ref buffer[0];
        int tile = Distance.RowsPerTile(dim);
        int nq = collectors.Length;
        ref float r = ref MemoryMarshal.GetReference(rows);
        ref float q = ref MemoryMarshal.GetReference(queries);
        for (int tileStart = 0; tileStart < rowCount; tileStart += tile)
        {
            int tileEnd = Math.Min(tileStart + tile, rowCount);
            int j = 0;
            for (; j + 4 <= nq; j += 4)
            {
                ref float group = ref Unsafe.Add(ref q, (nint)j * dim);
                for (int start = tileStart; start < tileEnd; start += 64)
                {
                    int count = Math.Min(64, rowCount - start);
                    ulong valid = count == 64 ? ulong.MaxValue : (1UL << count) - 1;
                    ulong bits = filterBits.IsEmpty ? valid : filterBits[start >> 6] & valid;
                    long id = rowIdBase + start;
                    if (bits == valid)
                    {
                        ref float run = ref Unsafe.Add(ref r, (nint)start * dim);
                        for (int i = 0; i < count; i++)
                            TKernel.Score4(ref group, dim, ref Unsafe.Add(ref run, (nint)i * dim), dim, ref Unsafe.Add(ref scores, i), 64);
                        for (int k = 0; k < 4; k++)
                        {
                            var c = collectors[j + k];
                            ref float sk = ref Unsafe.Add(ref scores, k * 64);
                            for (int i = 0; i < count; i++)
                                c.Push(id + i, Unsafe.Add(ref sk, i));
                        }
                    }
                    else
                    {
                        while (bits != 0)
                        {
                            int i = BitOperations.TrailingZeroCount(bits);
                            bits &= bits - 1;
                            TKernel.Score4(ref group, dim, ref Unsafe.Add(ref r, (nint)(start + i) * dim), dim, ref scores, 1);
                            for (int k = 0; k < 4; k++)
                                collectors[j + k].Push(id + i, Unsafe.Add(ref scores, k));
                        }
                    }
                }
            }
            ref float tileRows = ref Unsafe.Add(ref r, (nint)tileStart * dim);
            var tileFilter = filterBits.IsEmpty ? default : filterBits[(tileStart >> 6)..];
            for (; j < nq; j++)
            {
                Scan<TKernel, AcceptAll>(ref tileRows, dim, tileEnd - tileStart, ref Unsafe.Add(ref q, (nint)j * dim),
                    collectors[j], rowIdBase + tileStart, tileFilter, default);
            }
        }
    }

    private static void Scan<TKernel, TFilter>(
        ref float rows, int dim, int rowCount, ref float query,
        TopKCollector collector, long rowIdBase, ReadOnlySpan<ulong> filterBits, TFilter accept)
        where TKernel : struct, IRowKernel
        where TFilter : struct, IScoreFilter
    {
        var buffer = default(ScoreBuffer64);
        ref float scores = ref buffer[0];
        for (int start = 0; start < rowCount; start += 64)
        {
            int count = Math.Min(64, rowCount - start);
            ulong valid = count == 64 ? ulong.MaxValue : (1UL << count) - 1;
            ulong bits = filterBits.IsEmpty ? valid : filterBits[start >> 6] & valid;
            if (bits == valid)
            {
                ScoreRun<TKernel>(ref query, ref Unsafe.Add(ref rows, (nint)start * dim), dim, count, rowCount - start, ref scores);
                long id = rowIdBase + start;
                for (int i = 0; i < count; i++)
                {
                    float s = Unsafe.Add(ref scores, i);
                    if (accept.Accept(s))
                        collector.Push(id + i, s);
                }
            }
            else if (BitOperations.PopCount(bits) >= DenseWordBits)
            {
                // Mostly eligible: the row-blocked, prefetching kernel over the whole run beats scoring the
                // eligible rows one by one, and the extra rows were in the memory stream anyway.
                ScoreRun<TKernel>(ref query, ref Unsafe.Add(ref rows, (nint)start * dim), dim, count, rowCount - start, ref scores);
                long id = rowIdBase + start;
                while (bits != 0)
                {
                    int i = BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    float s = Unsafe.Add(ref scores, i);
                    if (accept.Accept(s))
                        collector.Push(id + i, s);
                }
            }
            else
            {
                while (bits != 0)
                {
                    int row = start + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    float s = TKernel.Score(ref query, ref Unsafe.Add(ref rows, (nint)row * dim), dim);
                    if (accept.Accept(s))
                        collector.Push(rowIdBase + row, s);
                }
            }
        }
    }

    /// <summary>
    /// Scores <paramref name="count"/> consecutive rows, four at a time, prefetching ahead while at least
    /// <paramref name="rowsAvailable"/> rows exist from <paramref name="rows"/> on. Kept out of line so the kernel
    /// loop has the registers to itself.
    /// </summary>
    /// <remarks>
    /// One thread's hardware prefetch does not keep enough misses in flight to reach memory bandwidth: software
    /// prefetch of the block about 4 KiB ahead raised single-query scans from memory by roughly a third on Zen 5
    /// (measured on a loaded machine, so the exact distance is not tuned). Prefetches never fault, and the
    /// prefetched range is kept inside the caller's rows.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static unsafe void ScoreRun<TKernel>(ref float query, ref float rows, int dim, int count, int rowsAvailable, ref float scores)
        where TKernel : struct, IRowKernel
    {
        int i = 0;
        if (Sse.IsSupported)
        {
            int blockBytes = 4 * dim * sizeof(float);
            int aheadRows = 4 * Math.Max(1, PrefetchDistanceBytes / blockBytes);
            for (; i + 4 <= count && i + aheadRows + 4 <= rowsAvailable; i += 4)
            {
                byte* ahead = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref rows, (nint)(i + aheadRows) * dim));
                for (int b = 0; b < blockBytes; b += 64)
                    Sse.Prefetch0(ahead + b);
                TKernel.ScoreRows4(ref query, ref Unsafe.Add(ref rows, (nint)i * dim), dim, ref Unsafe.Add(ref scores, i));
            }
        }
        for (; i + 4 <= count; i += 4)
            TKernel.ScoreRows4(ref query, ref Unsafe.Add(ref rows, (nint)i * dim), dim, ref Unsafe.Add(ref scores, i));
        for (; i < count; i++)
            Unsafe.Add(ref scores, i) = TKernel.Score(ref query, ref Unsafe.Add(ref rows, (nint)i * dim), dim);
    }

    private static void Validate(
        ReadOnlySpan<float> rows, int dim, int rowCount, ReadOnlySpan<float> queries, int nq,
        MetricType metric, MetricType collectorMetric, ReadOnlySpan<ulong> filterBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (metric is not (MetricType.L2 or MetricType.IP or MetricType.Cosine))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type");
        if (collectorMetric != metric)
            ThrowMetricMismatch(metric, collectorMetric);
        if ((long)rows.Length < (long)rowCount * dim)
            throw new ArgumentException($"rows hold {rows.Length} values, need {rowCount} x {dim}", nameof(rows));
        if ((long)queries.Length != (long)nq * dim)
            throw new ArgumentException($"query data holds {queries.Length} values, expected {nq} x {dim}");
        if (!filterBits.IsEmpty && filterBits.Length < (rowCount + 63) >> 6)
            throw new ArgumentException($"filter has {filterBits.Length} words, {rowCount} rows need {(rowCount + 63) >> 6}", nameof(filterBits));
    }

    private static void ThrowMetricMismatch(MetricType metric, MetricType collectorMetric) =>
        throw new ArgumentException($"collector ranks by {collectorMetric.ToMilvusName()}, search metric is {metric.ToMilvusName()}");
}
