using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// The inverted-file part shared by IVF_FLAT, IVF_SQ8 and IVF_PQ: a coarse quantizer of <see cref="Nlist"/>
/// centroids and lists stored contiguously by list (positions offsets[l] .. offsets[l+1]-1 hold list l, with the
/// segment row of each position in <c>ids</c>), so scanning a list is one sequential block read.
/// <para>Partition and probing use one rule, so a row sits in the list a query near it probes first. L2: L2
/// k-means, rows in the list of the nearest centroid, probes by smallest L2 distance. IP and COSINE: spherical
/// k-means (unit-length centroids), rows in the list of the centroid with the largest inner product (i.e. by
/// direction), probes by largest inner product with the query. COSINE is IP on unit-length rows and query.</para>
/// <para>Filtered search (bit set = row eligible) checks each candidate's bit. When the filter keeps so few rows
/// that the probed lists would hold fewer than <see cref="SparseFilterCandidateFactor"/>·k eligible rows, or the
/// eligible rows are fewer than half the rows a probe would scan, the search is exact FLAT over the eligible raw
/// vectors instead: cheaper, and the result is not short of k.</para>
/// </summary>
public abstract class IvfIndex : IVectorIndex
{
    public const int DefaultNlist = 128;
    public const int DefaultNprobe = 8;

    /// <summary>The sparse-filter fallback runs when fewer than this many times k eligible rows are expected
    /// in the probed lists.</summary>
    public const int SparseFilterCandidateFactor = 4;

    private protected readonly float[] _centroids;
    private protected readonly int[] _offsets;
    private protected readonly int[] _ids;

    /// <summary>The segment's raw vectors (not owned, may be empty): the exact fallback and IVF_PQ's re-rank.</summary>
    private protected readonly ReadOnlyMemory<float> _raw;

    private protected IvfIndex(string indexType, MetricType metric, int dim, int count, float[] centroids, int[] offsets, int[] ids, ReadOnlyMemory<float> raw)
    {
        IndexType = indexType;
        Metric = metric;
        Dim = dim;
        Count = count;
        _centroids = centroids;
        _offsets = offsets;
        _ids = ids;
        if (!raw.IsEmpty && raw.Length < (long)count * dim)
            throw new ArgumentException($"raw vectors hold {raw.Length} values, the index has {count} x {dim}", nameof(raw));
        _raw = raw.IsEmpty ? default : raw[..(count * dim)];
    }

    public string IndexType { get; }

    public MetricType Metric { get; }

    public int Dim { get; }

    public int Count { get; }

    public int Nlist => _offsets.Length - 1;

    public abstract long MemoryBytes { get; }

    /// <summary>False unless the lists hold full float rows (IVF_FLAT on L2 or IP): codes are not the vectors.</summary>
    public virtual bool HasRawVectors => false;

    public virtual void CopyVectors(int firstRow, Span<float> dest) => VectorIndexRows.Validate(this, firstRow, dest);

    /// <summary>The coarse centroids, nlist × dim row-major (unit length for IP and COSINE).</summary>
    public ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>Rows in list <paramref name="list"/>.</summary>
    public int ListSize(int list) => _offsets[list + 1] - _offsets[list];

    private protected long ListMemoryBytes => ((long)_centroids.Length + _offsets.Length + _ids.Length) * 4;

    private protected MetricType ScanMetric => Metric == MetricType.L2 ? MetricType.L2 : MetricType.IP;

    public abstract byte[] Serialize();

    public void Search(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits, IndexSearchParams searchParams,
        ScoreRange? range = null, long rowIdBase = 0)
    {
        ArgumentNullException.ThrowIfNull(collector);
        if (query.Length != Dim)
            throw new ArgumentException($"query has {query.Length} values, the index has dim {Dim}", nameof(query));
        if (collector.Metric != Metric)
            throw new ArgumentException($"collector ranks by {collector.Metric.ToMilvusName()}, the index metric is {Metric.ToMilvusName()}", nameof(collector));
        if (range is { } r && r.Metric != Metric)
            throw new ArgumentException($"range was built for {r.Metric.ToMilvusName()}, the index metric is {Metric.ToMilvusName()}", nameof(range));
        if (!filterBits.IsEmpty && filterBits.Length < (Count + 63) >> 6)
            throw new ArgumentException($"filter has {filterBits.Length} words, {Count} rows need {(Count + 63) >> 6}", nameof(filterBits));
        ArgumentOutOfRangeException.ThrowIfNegative(searchParams.Nprobe, nameof(searchParams));
        ArgumentOutOfRangeException.ThrowIfNegative(searchParams.RefineK, nameof(searchParams));
        if (Count == 0)
            return;
        int nlist = Nlist;
        int nprobe = Math.Min(searchParams.Nprobe == 0 ? DefaultNprobe : searchParams.Nprobe, nlist);

        if (!filterBits.IsEmpty)
        {
            long eligible = CountEligible(filterBits, Count);
            if (eligible == 0)
                return;
            double probedShare = (double)nprobe / nlist;
            bool sparse = eligible * probedShare < SparseFilterCandidateFactor * collector.K || eligible * 2 < Count * probedShare;
            if (sparse)
            {
                if (TrySearchEligibleExactly(query, collector, filterBits, range, rowIdBase))
                    return;
                nprobe = nlist; // no raw vectors to search exactly: scan every list so the eligible rows are all seen
            }
        }

        var scratch = IvfScratch.Current;
        scratch.RefineK = searchParams.RefineK;
        ReadOnlySpan<float> q = query;
        if (Metric == MetricType.Cosine)
        {
            var unit = IvfScratch.Ensure(ref scratch.Query, Dim).AsSpan(0, Dim);
            query.CopyTo(unit);
            Distance.Normalize(unit);
            q = unit;
        }
        var probes = SelectProbes(q, nprobe, scratch);
        if (range is not { } sr)
            Dispatch(probes, q, query, collector, filterBits, default(AcceptAll), rowIdBase, scratch);
        else if (Metric == MetricType.L2)
            Dispatch(probes, q, query, collector, filterBits, new DistanceRange(sr.RangeFilter, sr.Radius), rowIdBase, scratch);
        else
            Dispatch(probes, q, query, collector, filterBits, new SimilarityRange(sr.Radius, sr.RangeFilter), rowIdBase, scratch);
    }

    private void Dispatch<TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> q, ReadOnlySpan<float> originalQuery, TopKCollector collector,
        ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase, IvfScratch scratch)
        where TRange : struct, IScoreFilter
    {
        if (filterBits.IsEmpty)
            ScanLists<NoRowFilter, TRange>(probes, q, originalQuery, collector, filterBits, range, rowIdBase, scratch);
        else
            ScanLists<BitsetRowFilter, TRange>(probes, q, originalQuery, collector, filterBits, range, rowIdBase, scratch);
    }

    /// <summary>
    /// The sparse-filter fallback: exact scores of the eligible rows, from the segment's raw vectors when the index was
    /// given them. Returns false when it has no exact vectors to score (the caller then scans every list).
    /// </summary>
    private protected virtual bool TrySearchEligibleExactly(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits,
        ScoreRange? range, long rowIdBase)
    {
        if (_raw.IsEmpty)
            return false;
        if (range is { } r)
            FlatSearch.SearchRange(_raw.Span, Dim, Count, query, Metric, r, collector, rowIdBase, filterBits);
        else
            FlatSearch.Search(_raw.Span, Dim, Count, query, Metric, collector, rowIdBase, filterBits);
        return true;
    }

    /// <summary>
    /// Scans the lists in <paramref name="probes"/> (best first) and offers (rowIdBase + row, score) to the collector.
    /// <paramref name="query"/> is unit length for COSINE; <paramref name="originalQuery"/> is as given.
    /// </summary>
    private protected abstract void ScanLists<TRows, TRange>(ReadOnlySpan<int> probes, ReadOnlySpan<float> query, ReadOnlySpan<float> originalQuery,
        TopKCollector collector, ReadOnlySpan<ulong> filterBits, TRange range, long rowIdBase, IvfScratch scratch)
        where TRows : struct, IRowFilterMode
        where TRange : struct, IScoreFilter;

    /// <summary>The <paramref name="nprobe"/> best lists for the query, best first (ties: smaller list number).</summary>
    private ReadOnlySpan<int> SelectProbes(ReadOnlySpan<float> q, int nprobe, IvfScratch scratch)
    {
        int nlist = Nlist;
        var scores = IvfScratch.Ensure(ref scratch.CentroidScores, nlist);
        ref float qr = ref MemoryMarshal.GetReference(q);
        ref float cr = ref MemoryMarshal.GetArrayDataReference(_centroids);
        if (ScanMetric == MetricType.L2)
            FlatSearch.ScoreRun<L2Kernel>(ref qr, ref cr, Dim, nlist, nlist, ref scores[0]);
        else
            FlatSearch.ScoreRun<IPKernel>(ref qr, ref cr, Dim, nlist, nlist, ref scores[0]);
        var probeIds = IvfScratch.Ensure(ref scratch.ProbeIds, nprobe);
        var probeScores = IvfScratch.Ensure(ref scratch.ProbeScores, nprobe);
        var lists = IvfScratch.Ensure(ref scratch.ProbeLists, nprobe).AsSpan(0, nprobe);
        if (nprobe == nlist)
        {
            for (int l = 0; l < nlist; l++)
                lists[l] = l;
            return lists;
        }
        var top = scratch.Probes(nprobe, ScanMetric);
        for (int l = 0; l < nlist; l++)
            top.Push(l, scores[l]);
        int n = top.CopySorted(probeIds, probeScores);
        for (int i = 0; i < n; i++)
            lists[i] = (int)probeIds[i];
        return lists[..n];
    }

    private static long CountEligible(ReadOnlySpan<ulong> filterBits, int count)
    {
        int full = count >> 6;
        long n = 0;
        for (int i = 0; i < full; i++)
            n += BitOperations.PopCount(filterBits[i]);
        if ((count & 63) != 0)
            n += BitOperations.PopCount(filterBits[full] & ((1UL << (count & 63)) - 1));
        return n;
    }

    /// <summary>Groups rows by list: offsets (nlist + 1) and the rows of each list in ascending order.</summary>
    private protected static (int[] Offsets, int[] Ids) GroupByList(ReadOnlySpan<int> assign, int nlist)
    {
        var offsets = new int[nlist + 1];
        foreach (int l in assign)
            offsets[l + 1]++;
        for (int l = 0; l < nlist; l++)
            offsets[l + 1] += offsets[l];
        var next = offsets[..nlist];
        var ids = new int[assign.Length];
        for (int row = 0; row < assign.Length; row++)
            ids[next[assign[row]]++] = row;
        return (offsets, ids);
    }

    /// <summary>Validates loaded list structure: offsets from 0 to count, non-decreasing; ids a permutation.</summary>
    private protected static void ValidateLists(ref IvfFile.Reader reader, int[] offsets, int[] ids, int count)
    {
        if (offsets[0] != 0 || offsets[^1] != count)
            throw reader.Corrupt($"list offsets run from {offsets[0]} to {offsets[^1]}, expected 0 to {count}");
        for (int l = 1; l < offsets.Length; l++)
        {
            if (offsets[l] < offsets[l - 1])
                throw reader.Corrupt($"list offsets decrease at list {l - 1}");
        }
        var seen = new ulong[(count + 63) >> 6];
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)count || (seen[id >> 6] & (1UL << id)) != 0)
                throw reader.Corrupt($"row id {id} is out of range or repeated");
            seen[id >> 6] |= 1UL << id;
        }
    }

    /// <summary>Rows for training and assignment: the rows themselves, or unit-length copies for COSINE.</summary>
    private protected static ReadOnlyMemory<float> WorkingRows(ReadOnlyMemory<float> vectors, int count, int dim, MetricType metric)
    {
        var rows = vectors[..(count * dim)];
        if (metric != MetricType.Cosine)
            return rows;
        var unit = rows.ToArray();
        for (int i = 0; i < count; i++)
            Distance.Normalize(unit.AsSpan(i * dim, dim));
        return unit;
    }

    /// <summary>k-means on a seeded sample (spherical for IP and COSINE, size-balanced per
    /// <see cref="IvfBuildOptions.MaxListSizeFactor"/>), then every row assigned to its best centroid by the same
    /// rule the search probes with.</summary>
    private protected static (float[] Centroids, int[] Offsets, int[] Ids) BuildLists(ReadOnlySpan<float> rows, int count, int dim, MetricType metric,
        IvfBuildOptions options, CancellationToken cancellationToken)
    {
        if (count == 0)
            return ([], [0], []);
        int nlist = Math.Min(options.Nlist, count);
        int sampleCount = (int)Math.Min(count, (long)options.TrainingRowsPerList * nlist);
        float[] sample;
        if (sampleCount == count)
        {
            sample = rows[..(count * dim)].ToArray();
        }
        else
        {
            var picked = KMeans.SampleIndices(new Random(options.Seed), count, sampleCount);
            Array.Sort(picked); // sequential reads; the order of training rows does not change the result
            sample = new float[sampleCount * dim];
            for (int i = 0; i < sampleCount; i++)
                rows.Slice(picked[i] * dim, dim).CopyTo(sample.AsSpan(i * dim, dim));
        }
        bool spherical = metric != MetricType.L2;
        var centroids = KMeans.Train(sample, sampleCount, dim, nlist, options.TrainIterations, options.Seed, options.Threads, spherical,
            options.MaxListSizeFactor, cancellationToken);
        nlist = centroids.Length / dim;
        var assign = new int[count];
        KMeans.Assign(rows, count, dim, centroids, nlist, spherical ? MetricType.IP : MetricType.L2, assign, options.Threads, cancellationToken);
        var (offsets, ids) = GroupByList(assign, nlist);
        return (centroids, offsets, ids);
    }

    private protected IvfFile.Header FileHeader(int p0 = 0, int p1 = 0, int p2 = 0) => new(IndexType, Metric, Dim, Count, Nlist, p0, p1, p2);
}

/// <summary>Whether a list scan checks the filter bitset; a struct type parameter so the unfiltered scan has no check.</summary>
internal interface IRowFilterMode
{
    static abstract bool Enabled { get; }
}

internal readonly struct NoRowFilter : IRowFilterMode
{
    public static bool Enabled => false;
}

internal readonly struct BitsetRowFilter : IRowFilterMode
{
    public static bool Enabled => true;
}

internal static class RowFilter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSet(ReadOnlySpan<ulong> bits, int row) => (bits[row >> 6] & (1UL << row)) != 0;
}

/// <summary>Build settings common to the IVF indexes (Milvus's <c>nlist</c> plus training knobs).</summary>
public sealed record IvfBuildOptions
{
    public int Nlist { get; init; } = IvfIndex.DefaultNlist;

    /// <summary>k-means trains on min(rows, this × nlist) rows sampled with <see cref="Seed"/>.</summary>
    public int TrainingRowsPerList { get; init; } = 64;

    /// <summary>IVF_PQ: each sub-quantizer trains on min(rows, this × 2^nbits) sub-vectors.</summary>
    public int TrainingRowsPerCode { get; init; } = 64;

    /// <summary>Lloyd iterations, for the coarse quantizer and each PQ sub-quantizer.</summary>
    public int TrainIterations { get; init; } = 10;

    /// <summary>
    /// Coarse k-means splits training clusters above this many times the mean size, freeing a centroid by the
    /// cheapest merge for each split (0: plain Lloyd). Rows still go to their nearest centroid, so lists are not
    /// strictly bounded, but they come out far more even: on the 1M×128 clustered benchmark (nlist 1024) the
    /// largest list fell from 8.7× to 2.9× the mean and the rows scanned at a given recall by 2–5×.
    /// 1.5 measured better than 2 or 3 (fewer rows and higher recall per nprobe) and than 1.25 or 1.1 (too few
    /// cheap merges left, so the largest lists grew again).
    /// </summary>
    public double MaxListSizeFactor { get; init; } = 1.5;

    public int Seed { get; init; } = 42;

    public int Threads { get; init; } = 1;
}
