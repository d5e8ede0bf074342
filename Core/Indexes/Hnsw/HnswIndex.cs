using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Hnsw;

/// <summary>
/// HNSW graph index (Milvus HNSW and HNSW_SQ). Level 0 is one contiguous native block of fixed-size nodes, as
/// hnswlib's data_level0_memory: <c>[int count][int links × 2M][payload]</c>, where the payload is the float vector
/// (HNSW; normalised for COSINE, which is then searched as IP) or its SQ8 codes (HNSW_SQ). Upper levels hold
/// <c>M + 1</c> ints per level per node in a second block. Immutable after build/load and safe for concurrent searches.
/// </summary>
/// <remarks>
/// Search follows hnswlib's searchKnn: greedy descent through the upper levels, then a best-first walk of level 0
/// with an ef-sized result list. Filters are hnswlib's isIdAllowed: the walk crosses every node but only eligible
/// rows enter the result list; when fewer than <see cref="ExactFilterThreshold"/> rows are eligible the survivors
/// are scored exactly instead (a graph walk would have to cross most of the graph to find ef of them).
/// Range search repeats the walk with ef doubling (from max(ef, k)) until k rows in range are found, the result
/// list's worst row is already outside the radius (so every row inside it that the walk can reach is in the list),
/// the walk ran out of nodes, or ef reached the row count.
/// HNSW_SQ traverses 8-bit codes (per-dimension min/max) and, with refine, re-scores the best candidates with
/// the float vectors.
/// </remarks>
public sealed unsafe partial class HnswIndex : IVectorIndex
{
    /// <summary>Milvus's documented defaults for HNSW (M = 30, efConstruction = 360).</summary>
    public const int DefaultM = 30;

    public const int DefaultEfConstruction = 360;

    /// <summary>ef when the search does not set one (at least k). Milvus defaults ef to the limit; a floor of 64
    /// keeps recall@10 above 0.95 on typical data.</summary>
    public const int DefaultEf = 64;

    internal const int MaxLevelCap = 31;

    private readonly NativeBlock _level0;
    private readonly NativeBlock _upperBlock;
    private readonly byte* _base;
    private readonly int* _upper;
    private readonly byte[] _levels;
    private readonly int[] _upperOffsets;
    private readonly long _upperInts;
    private readonly int _nodeBytes;
    private readonly int _payloadOffset;
    private readonly int _m;
    private readonly int _efConstruction;
    private readonly int _entryPoint;
    private readonly int _maxLevel;
    private readonly bool _quantized;
    private readonly float[]? _sqMin;
    private readonly float[]? _sqScale;
    private readonly NativeBlock? _refine;
    private readonly SearchContextPool _pool;

    private HnswIndex(MetricType metric, int dim, int count, int m, int efConstruction, NativeBlock level0, int nodeBytes,
        int payloadOffset, NativeBlock upper, long upperInts, byte[] levels, int[] upperOffsets, int entryPoint, int maxLevel,
        bool quantized, float[]? sqMin, float[]? sqScale, NativeBlock? refine)
    {
        Metric = metric;
        Dim = dim;
        Count = count;
        _m = m;
        _efConstruction = efConstruction;
        _level0 = level0;
        _base = level0.Pointer;
        _nodeBytes = nodeBytes;
        _payloadOffset = payloadOffset;
        _upperBlock = upper;
        _upper = (int*)upper.Pointer;
        _upperInts = upperInts;
        _levels = levels;
        _upperOffsets = upperOffsets;
        _entryPoint = entryPoint;
        _maxLevel = maxLevel;
        _quantized = quantized;
        _sqMin = sqMin;
        _sqScale = sqScale;
        _refine = refine;
        _pool = new SearchContextPool(count, dim);
    }

    public string IndexType => _quantized ? "HNSW_SQ" : "HNSW";

    public MetricType Metric { get; }

    public int Dim { get; }

    public int Count { get; }

    public int M => _m;

    public int EfConstruction => _efConstruction;

    /// <summary>True for HNSW_SQ built with refine = true (float vectors kept for re-ranking).</summary>
    public bool Refine => _refine is not null;

    public long MemoryBytes => _level0.Length + _upperBlock.Length + _levels.Length + (4L * _upperOffsets.Length)
        + (_refine?.Length ?? 0) + (_sqMin is null ? 0 : 8L * Dim);

    /// <summary>
    /// The float payload (HNSW) and the refine block (HNSW_SQ with refine) are exact copies of the rows for L2 and IP;
    /// for COSINE they hold unit-length rows, which are not the inserted vectors.
    /// </summary>
    public bool HasRawVectors => Metric != MetricType.Cosine && (!_quantized || _refine is not null);

    public void CopyVectors(int firstRow, Span<float> dest)
    {
        int rows = VectorIndexRows.Validate(this, firstRow, dest);
        if (_refine is not null)
        {
            new ReadOnlySpan<float>(_refine.Pointer + ((long)firstRow * Dim * sizeof(float)), rows * Dim).CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < rows; i++)
                new ReadOnlySpan<float>(Node(firstRow + i) + _payloadOffset, Dim).CopyTo(dest.Slice(i * Dim, Dim));
        }
        // The spans above point into native blocks that this index's finalizer-owned NativeBlocks free.
        GC.KeepAlive(this);
    }

    /// <summary>Candidates re-scored with float vectors per returned row (HNSW_SQ with refine) when the search
    /// does not set refine_k.</summary>
    internal const int RefineFactor = 4;

    /// <summary>How many of the walk's best candidates HNSW_SQ with refine re-scores with float vectors: k × refine_k
    /// when the search sets it (the walk's list grows to hold them), otherwise max(k × <see cref="RefineFactor"/>, ef/2).
    /// 0 without refine.</summary>
    private int RerankCount(int k, int ef, float refineK)
    {
        if (_refine is null)
            return 0;
        if (refineK > 0)
            return (int)Math.Min(Math.Ceiling(k * (double)refineK), Count);
        return Math.Max(k * RefineFactor, ef / 2);
    }

    /// <summary>Below this many eligible rows a filtered search scores the survivors exactly.</summary>
    public static int ExactFilterThreshold(int count) => Math.Max(2048, count / 50);

    /// <summary>Builds an HNSW (or HNSW_SQ) index from Milvus parameters: M, efConstruction; HNSW_SQ also sq_type
    /// (SQ8), refine (bool), refine_type (FP32). Unknown keys are ignored here (the validator rejects them).</summary>
    public static HnswIndex Build(string indexType, ReadOnlySpan<float> vectors, int count, int dim, MetricType metric,
        IReadOnlyDictionary<string, string> parameters, int threads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int m = IntParam(parameters, "M", DefaultM);
        int efc = IntParam(parameters, "efConstruction", DefaultEfConstruction);
        int seed = IntParam(parameters, "seed", 100);
        bool sq = string.Equals(indexType, "HNSW_SQ", StringComparison.OrdinalIgnoreCase);
        bool refine = sq && parameters.TryGetValue("refine", out var r) && bool.Parse(r);
        var options = new HnswBuildOptions(m, efc, seed, threads);
        return sq ? BuildSq(vectors, count, dim, metric, options, refine, cancellationToken) : Build(vectors, count, dim, metric, options, cancellationToken);
    }

    public static HnswIndex Build(ReadOnlySpan<float> vectors, int count, int dim, MetricType metric, HnswBuildOptions options,
        CancellationToken cancellationToken = default)
    {
        var b = RunBuilder(vectors, count, dim, metric, options, cancellationToken);
        return new HnswIndex(metric, dim, count, options.M, options.EfConstruction, b.Level0, b.NodeBytes, b.PayloadOffset, b.Upper,
            b.UpperInts, b.Levels, b.UpperOffsets, b.EntryPoint, b.MaxLevel, false, null, null, null);
    }

    /// <summary>HNSW_SQ: the graph is built on the float vectors, then level 0 stores SQ8 codes (per-dimension
    /// min/max) instead of floats; with <paramref name="refine"/> the float vectors are kept for re-ranking.</summary>
    public static HnswIndex BuildSq(ReadOnlySpan<float> vectors, int count, int dim, MetricType metric, HnswBuildOptions options,
        bool refine, CancellationToken cancellationToken = default)
    {
        return Quantize(Build(vectors, count, dim, metric, options, cancellationToken), refine);
    }

    /// <summary>The HNSW_SQ form of a float HNSW index: same graph (the upper-level block is shared), SQ8 payloads.</summary>
    internal static HnswIndex Quantize(HnswIndex source, bool refine)
    {
        if (source._quantized)
            throw new ArgumentException("the source index is already quantized", nameof(source));
        int count = source.Count, dim = source.Dim;
        var min = GC.AllocateArray<float>(dim, pinned: true);
        var scale = GC.AllocateArray<float>(dim, pinned: true);
        var max = new float[dim];
        min.AsSpan().Fill(float.PositiveInfinity);
        max.AsSpan().Fill(float.NegativeInfinity);
        for (int i = 0; i < count; i++)
        {
            var v = new ReadOnlySpan<float>(source.Node(i) + source._payloadOffset, dim);
            for (int d = 0; d < dim; d++)
            {
                min[d] = Math.Min(min[d], v[d]);
                max[d] = Math.Max(max[d], v[d]);
            }
        }
        for (int d = 0; d < dim; d++)
        {
            if (count == 0)
                min[d] = 0f;
            scale[d] = count == 0 ? 0f : (max[d] - min[d]) / 255f;
        }
        int payloadOffset = source._payloadOffset;
        int nodeBytes = (payloadOffset + dim + 3) & ~3;
        var level0 = new NativeBlock((long)count * nodeBytes);
        NativeBlock? refineBlock = refine ? new NativeBlock((long)count * dim * 4) : null;
        for (int i = 0; i < count; i++)
        {
            byte* src = source.Node(i);
            byte* dst = level0.Pointer + ((long)i * nodeBytes);
            Buffer.MemoryCopy(src, dst, payloadOffset, payloadOffset);
            var v = new ReadOnlySpan<float>(src + payloadOffset, dim);
            Encode(v, min, scale, new Span<byte>(dst + payloadOffset, dim));
            if (refineBlock is not null)
                v.CopyTo(new Span<float>(refineBlock.Pointer + ((long)i * dim * 4), dim));
        }
        GC.KeepAlive(source);
        return new HnswIndex(source.Metric, dim, count, source._m, source._efConstruction, level0, nodeBytes, payloadOffset, source._upperBlock,
            source._upperInts, source._levels, source._upperOffsets, source._entryPoint, source._maxLevel, true, min, scale, refineBlock);
    }

    internal static void Encode(ReadOnlySpan<float> v, ReadOnlySpan<float> min, ReadOnlySpan<float> scale, Span<byte> codes)
    {
        for (int d = 0; d < v.Length; d++)
        {
            float s = scale[d];
            float c = s > 0f ? MathF.Round((v[d] - min[d]) / s) : 0f;
            codes[d] = (byte)Math.Clamp(c, 0f, 255f);
        }
    }

    private static HnswBuilder RunBuilder(ReadOnlySpan<float> vectors, int count, int dim, MetricType metric, HnswBuildOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.M, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EfConstruction, 1);
        if (metric is not (MetricType.L2 or MetricType.IP or MetricType.Cosine))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type");
        if ((long)vectors.Length < (long)count * dim)
            throw new ArgumentException($"vectors hold {vectors.Length} values, need {count} x {dim}", nameof(vectors));
        var b = new HnswBuilder(count, dim, metric, options.M, options.EfConstruction, options.Seed);
        b.Build(vectors, metric == MetricType.Cosine, options.Threads, cancellationToken);
        return b;
    }

    private static int IntParam(IReadOnlyDictionary<string, string> p, string key, int fallback) =>
        p.TryGetValue(key, out var raw) ? int.Parse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    // ---- search -------------------------------------------------------------------------------------------------

    public void Search(ReadOnlySpan<float> query, TopKCollector collector, ReadOnlySpan<ulong> filterBits, IndexSearchParams searchParams,
        ScoreRange? range = null, long rowIdBase = 0)
    {
        ArgumentNullException.ThrowIfNull(collector);
        if (query.Length != Dim)
            throw new ArgumentException($"query has {query.Length} values, the index dimension is {Dim}", nameof(query));
        if (collector.Metric != Metric)
            throw new ArgumentException($"collector ranks by {collector.Metric.ToMilvusName()}, index metric is {Metric.ToMilvusName()}");
        if (range is { } rg && rg.Metric != Metric)
            throw new ArgumentException($"range was built for {rg.Metric.ToMilvusName()}, index metric is {Metric.ToMilvusName()}", nameof(range));
        if (!filterBits.IsEmpty && filterBits.Length < (Count + 63) >> 6)
            throw new ArgumentException($"filter has {filterBits.Length} words, {Count} rows need {(Count + 63) >> 6}", nameof(filterBits));
        if (Count == 0)
            return;
        int k = collector.K;
        int ef = Math.Max(searchParams.Ef > 0 ? searchParams.Ef : DefaultEf, k);
        if (searchParams.RefineK > 0)
            ef = Math.Max(ef, RerankCount(k, ef, searchParams.RefineK));
        var ctx = _pool.Rent(ef);
        try
        {
            ctx.RefineK = searchParams.RefineK;
            PrepareQuery(query, ctx);
            if (filterBits.IsEmpty)
            {
                SearchGraph(ctx, default(AllRows), k, ef, collector, range, rowIdBase);
                return;
            }
            int threshold = ExactFilterThreshold(Count);
            int eligible = CountEligible(filterBits, threshold);
            if (eligible == 0)
                return;
            fixed (ulong* bits = filterBits)
            {
                if (eligible < threshold)
                    ExactScan(ctx, bits, collector, range, rowIdBase);
                else
                    SearchGraph(ctx, new BitsetRows(bits), k, ef, collector, range, rowIdBase);
            }
        }
        finally
        {
            _pool.Return(ctx);
            GC.KeepAlive(this);
        }
    }

    /// <summary>Eligible rows among the first Count bits, counting stops once <paramref name="stopAt"/> is reached.</summary>
    private int CountEligible(ReadOnlySpan<ulong> bits, int stopAt)
    {
        int words = Count >> 6;
        int n = 0;
        for (int w = 0; w < words && n < stopAt; w++)
            n += System.Numerics.BitOperations.PopCount(bits[w]);
        if ((Count & 63) != 0 && n < stopAt)
            n += System.Numerics.BitOperations.PopCount(bits[words] & ((1UL << (Count & 63)) - 1));
        return n;
    }

    private void PrepareQuery(ReadOnlySpan<float> query, SearchContext ctx)
    {
        var q = ctx.Query.AsSpan(0, Dim);
        query.CopyTo(q);
        if (Metric == MetricType.Cosine)
            Distance.Normalize(q);
        if (!_quantized)
            return;
        var aux = ctx.Aux.AsSpan(0, Dim);
        var min = _sqMin!;
        var scale = _sqScale!;
        if (Metric == MetricType.L2)
        {
            for (int d = 0; d < aux.Length; d++)
                aux[d] = q[d] - min[d];
        }
        else
        {
            for (int d = 0; d < aux.Length; d++)
                aux[d] = q[d] * scale[d];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float ToScore(float dist) => Metric == MetricType.L2 ? dist : -dist;

    private void SearchGraph<TFilter>(SearchContext ctx, TFilter filter, int k, int ef, TopKCollector collector, ScoreRange? range, long rowIdBase)
        where TFilter : struct, IRowFilter
    {
        float* q = (float*)Unsafe.AsPointer(ref ctx.Query[0]);
        if (!_quantized)
        {
            if (Metric == MetricType.L2)
                Run(new FloatL2Space(q, Dim), filter, ctx, k, ef, collector, range, rowIdBase);
            else
                Run(new FloatIPSpace(q, Dim), filter, ctx, k, ef, collector, range, rowIdBase);
            return;
        }
        float* aux = (float*)Unsafe.AsPointer(ref ctx.Aux[0]);
        if (Metric == MetricType.L2)
        {
            Run(new SqL2Space(aux, (float*)Unsafe.AsPointer(ref _sqScale![0]), Dim), filter, ctx, k, ef, collector, range, rowIdBase);
        }
        else
        {
            float bias = Distance.InnerProduct(ctx.Query.AsSpan(0, Dim), _sqMin);
            Run(new SqIPSpace(aux, bias, Dim), filter, ctx, k, ef, collector, range, rowIdBase);
        }
    }

    private void Run<TSpace, TFilter>(TSpace space, TFilter filter, SearchContext ctx, int k, int ef, TopKCollector collector,
        ScoreRange? range, long rowIdBase)
        where TSpace : struct, IHnswSpace
        where TFilter : struct, IRowFilter
    {
        if (range is not { } rg)
        {
            Walk(space, filter, ctx, ef);
            Emit(ctx, k, ef, collector, null, rowIdBase);
            return;
        }
        int efr = ef;
        while (true)
        {
            Walk(space, filter, ctx, efr);
            var top = ctx.Top;
            int inRange = 0, inside = 0;
            for (int i = 0; i < top.Count; i++)
            {
                float s = ToScore(top.DistanceAt(i));
                if (rg.Contains(s))
                    inRange++;
                else if (Metric.IsBetter(s, rg.Radius))
                    inside++;
            }
            // The rows better than range_filter take list slots without being returned, so the list needs ef slots
            // beyond them to be as good as a plain top-k walk with this ef.
            bool enough = inRange >= k && efr >= ef + inside;
            bool beyondRadius = top.Count > 0 && !Metric.IsBetter(ToScore(top.TopDistance), rg.Radius);
            if (enough || beyondRadius || top.Count < efr || efr >= Count)
                break;
            efr = (int)Math.Min((long)efr * 2, Count);
        }
        Emit(ctx, k, efr, collector, rg, rowIdBase);
    }

    private void Emit(SearchContext ctx, int k, int ef, TopKCollector collector, ScoreRange? range, long rowIdBase)
    {
        var top = ctx.Top;
        if (_refine is null)
        {
            for (int i = 0; i < top.Count; i++)
            {
                float s = ToScore(top.DistanceAt(i));
                if (range is not { } rg || rg.Contains(s))
                    collector.Push(rowIdBase + top.IdAt(i), s);
            }
            return;
        }
        int n = top.Count;
        ctx.EnsureResultCapacity(n);
        top.DrainAscending(ctx.ResultDist, ctx.ResultIds);
        // A range search re-scores every candidate: rows better than range_filter fill the first slots and would
        // otherwise crowd the in-range rows out of a k × refine_k budget.
        int rerank = range is null ? Math.Min(n, RerankCount(k, ef, ctx.RefineK)) : n;
        float* q = (float*)Unsafe.AsPointer(ref ctx.Query[0]);
        float* vectors = (float*)_refine.Pointer;
        var ids = ctx.ResultIds;
        for (int i = 0; i < rerank; i++)
        {
            int id = ids[i];
            float* v = vectors + ((long)id * Dim);
            float s = Metric == MetricType.L2 ? Distance.L2Squared(ref *q, ref *v, Dim) : Distance.InnerProduct(ref *q, ref *v, Dim);
            if (range is not { } rg || rg.Contains(s))
                collector.Push(rowIdBase + id, s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Node(int id) => _base + ((long)id * _nodeBytes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* UpperLinks(int id, int level) => _upper + _upperOffsets[id] + ((long)(level - 1) * (_m + 1));

    /// <summary>hnswlib's searchKnn: greedy descent, then the level-0 best-first walk; the best ef eligible rows end
    /// up in ctx.Top.</summary>
    private void Walk<TSpace, TFilter>(TSpace space, TFilter filter, SearchContext ctx, int ef)
        where TSpace : struct, IHnswSpace
        where TFilter : struct, IRowFilter
    {
        int payload = _payloadOffset;
        int ep = _entryPoint;
        float epDist = space.Distance(Node(ep) + payload);
        for (int level = _maxLevel; level > 0; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                int* links = UpperLinks(ep, level);
                int n = links[0];
                for (int j = 1; j <= n; j++)
                {
                    int c = links[j];
                    float d = space.Distance(Node(c) + payload);
                    if (d < epDist)
                    {
                        epDist = d;
                        ep = c;
                        changed = true;
                    }
                }
            }
        }

        ctx.NewVisit();
        ushort* marks = ctx.MarksPointer;
        ushort epoch = ctx.Epoch;
        var top = ctx.Top;
        var cand = ctx.Candidates;
        top.Clear();
        cand.Clear();
        float lower = float.PositiveInfinity;
        if (filter.Allows(ep))
        {
            top.Push(epDist, ep);
            lower = epDist;
        }
        cand.Push(epDist, ep);
        marks[ep] = epoch;
        bool prefetch = Sse.IsSupported;
        if (ctx.Neighbors.Length < 2 * _m)
            ctx.Neighbors = new int[2 * _m];
        fixed (int* fresh = ctx.Neighbors)
        {
            while (cand.Count > 0)
            {
                float cd = cand.TopDistance;
                int c = cand.TopId;
                if (cd > lower && top.Count >= ef)
                    break;
                cand.Pop();
                int* links = (int*)Node(c);
                int n = links[0];
                // Collect the unvisited neighbours first and prefetch all of their vectors before scoring any: the
                // misses then overlap (a walk over a graph larger than the caches waits on memory, not arithmetic).
                int f = 0;
                for (int j = 1; j <= n; j++)
                {
                    int nb = links[j];
                    if (marks[nb] == epoch)
                        continue;
                    marks[nb] = epoch;
                    fresh[f++] = nb;
                    if (prefetch)
                    {
                        byte* v = Node(nb) + payload;
                        Sse.Prefetch0(v);
                        Sse.Prefetch0(v + 64);
                    }
                }
                for (int j = 0; j < f; j++)
                {
                    int nb = fresh[j];
                    float d = space.Distance(Node(nb) + payload);
                    if (top.Count < ef || d < lower)
                    {
                        cand.Push(d, nb);
                        if (filter.Allows(nb))
                        {
                            top.Push(d, nb);
                            if (top.Count > ef)
                                top.Pop();
                        }
                        if (top.Count > 0)
                            lower = top.TopDistance;
                    }
                }
                if (prefetch && cand.Count > 0)
                    Sse.Prefetch0(Node(cand.TopId));
            }
        }
    }

    /// <summary>Exact scores of the few eligible rows (float vectors when the index has them).</summary>
    private void ExactScan(SearchContext ctx, ulong* bits, TopKCollector collector, ScoreRange? range, long rowIdBase)
    {
        float* q = (float*)Unsafe.AsPointer(ref ctx.Query[0]);
        if (!_quantized)
        {
            if (Metric == MetricType.L2)
                Scan(new FloatL2Space(q, Dim), _base + _payloadOffset, _nodeBytes, bits, collector, range, rowIdBase);
            else
                Scan(new FloatIPSpace(q, Dim), _base + _payloadOffset, _nodeBytes, bits, collector, range, rowIdBase);
        }
        else if (_refine is not null)
        {
            if (Metric == MetricType.L2)
                Scan(new FloatL2Space(q, Dim), _refine.Pointer, 4L * Dim, bits, collector, range, rowIdBase);
            else
                Scan(new FloatIPSpace(q, Dim), _refine.Pointer, 4L * Dim, bits, collector, range, rowIdBase);
        }
        else
        {
            float* aux = (float*)Unsafe.AsPointer(ref ctx.Aux[0]);
            if (Metric == MetricType.L2)
                Scan(new SqL2Space(aux, (float*)Unsafe.AsPointer(ref _sqScale![0]), Dim), _base + _payloadOffset, _nodeBytes, bits, collector, range, rowIdBase);
            else
                Scan(new SqIPSpace(aux, Distance.InnerProduct(ctx.Query.AsSpan(0, Dim), _sqMin), Dim), _base + _payloadOffset, _nodeBytes, bits, collector, range, rowIdBase);
        }
    }

    private void Scan<TSpace>(TSpace space, byte* first, long stride, ulong* bits, TopKCollector collector, ScoreRange? range, long rowIdBase)
        where TSpace : struct, IHnswSpace
    {
        int words = (Count + 63) >> 6;
        for (int w = 0; w < words; w++)
        {
            ulong word = bits[w];
            if (w == words - 1 && (Count & 63) != 0)
                word &= (1UL << (Count & 63)) - 1;
            while (word != 0)
            {
                int row = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                float s = ToScore(space.Distance(first + (row * stride)));
                if (range is not { } rg || rg.Contains(s))
                    collector.Push(rowIdBase + row, s);
            }
        }
    }
}

/// <summary>HNSW build knobs: M (max links per node above level 0; 2M at level 0), efConstruction, the seed of the
/// level generator, and the number of inserting threads.</summary>
public readonly record struct HnswBuildOptions(int M = HnswIndex.DefaultM, int EfConstruction = HnswIndex.DefaultEfConstruction,
    int Seed = 100, int Threads = 1);
