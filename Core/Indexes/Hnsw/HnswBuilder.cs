using System.Runtime.CompilerServices;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Hnsw;

/// <summary>
/// Builds the float graph (hnswlib's addPoint): levels are drawn up front from a seeded generator
/// (⌊−ln U / ln M⌋), so the layer structure does not depend on the thread count; nodes are then inserted by
/// <c>threads</c> workers taking row numbers from a shared counter. Each node's neighbour lists are guarded by a
/// 4-byte spin lock (hnswlib's link_list_locks_); an insertion that raises the top level holds the global lock
/// to its end, as in hnswlib. Neighbour selection is hnswlib's getNeighborsByHeuristic2; full neighbour lists are
/// re-pruned with the same heuristic.
/// </summary>
internal sealed unsafe class HnswBuilder
{
    private readonly int _count;
    private readonly int _dim;
    private readonly int _m;
    private readonly int _maxM0;
    private readonly int _efConstruction;
    private readonly bool _innerProduct;
    private readonly int[] _locks;
    private readonly object _global = new();
    private readonly byte* _base;
    private readonly int* _upper;
    private int _entryPoint = -1;
    private int _maxLevel = -1;

    public HnswBuilder(int count, int dim, MetricType metric, int m, int efConstruction, int seed)
    {
        _count = count;
        _dim = dim;
        _m = m;
        _maxM0 = 2 * m;
        _efConstruction = Math.Max(efConstruction, m);
        _innerProduct = metric != MetricType.L2;
        PayloadOffset = 4 + (4 * _maxM0);
        NodeBytes = PayloadOffset + (4 * dim);
        Level0 = new NativeBlock((long)count * NodeBytes);
        _base = Level0.Pointer;
        Levels = new byte[count];
        UpperOffsets = new int[count];
        var rng = new Random(seed);
        double mult = 1.0 / Math.Log(Math.Max(m, 2));
        long upperInts = 0;
        for (int i = 0; i < count; i++)
        {
            int level = (int)Math.Min(-Math.Log(1.0 - rng.NextDouble()) * mult, HnswIndex.MaxLevelCap);
            Levels[i] = (byte)level;
            UpperOffsets[i] = level > 0 ? checked((int)upperInts) : -1;
            upperInts += (long)level * (m + 1);
        }
        UpperInts = upperInts;
        Upper = new NativeBlock(upperInts * 4);
        _upper = (int*)Upper.Pointer;
        _locks = new int[count];
    }

    public NativeBlock Level0 { get; }

    public NativeBlock Upper { get; }

    public long UpperInts { get; }

    public byte[] Levels { get; }

    public int[] UpperOffsets { get; }

    public int NodeBytes { get; }

    public int PayloadOffset { get; }

    public int EntryPoint => _entryPoint;

    public int MaxLevel => _maxLevel;

    public void Build(ReadOnlySpan<float> vectors, bool normalize, int threads, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _count; i++)
        {
            var dst = new Span<float>(Vector(i), _dim);
            vectors.Slice(i * _dim, _dim).CopyTo(dst);
            if (normalize)
                Distance.Normalize(dst);
        }
        int next = 0;
        void Worker()
        {
            var ctx = new SearchContext(_count, _dim, _efConstruction);
            ctx.Neighbors = new int[_maxM0 + 1];
            var scratch = new BuildScratch(_maxM0 + 1);
            while (true)
            {
                int i = Interlocked.Increment(ref next) - 1;
                if (i >= _count)
                    return;
                if ((i & 255) == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                Insert(i, ctx, scratch);
            }
        }
        threads = Math.Clamp(threads, 1, Math.Max(1, _count / 64 + 1));
        if (threads == 1)
        {
            Worker();
            return;
        }
        var workers = new Thread[threads - 1];
        Exception? failure = null;
        for (int t = 0; t < workers.Length; t++)
        {
            workers[t] = new Thread(() =>
            {
                try
                {
                    Worker();
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                    Volatile.Write(ref next, int.MaxValue / 2);
                }
            }, 256 * 1024) { IsBackground = true, Name = "hnsw-build" };
            workers[t].Start();
        }
        try
        {
            Worker();
        }
        catch
        {
            Volatile.Write(ref next, int.MaxValue / 2);
            foreach (var w in workers)
                w.Join();
            throw;
        }
        foreach (var w in workers)
            w.Join();
        if (failure is not null)
            throw new AggregateException("HNSW build worker failed", failure);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* Vector(int node) => (float*)(_base + ((long)node * NodeBytes) + PayloadOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* Links(int node, int level) => level == 0
        ? (int*)(_base + ((long)node * NodeBytes))
        : _upper + UpperOffsets[node] + ((long)(level - 1) * (_m + 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Dist(float* a, float* b) => _innerProduct
        ? -Distance.InnerProduct(ref *a, ref *b, _dim)
        : Distance.L2Squared(ref *a, ref *b, _dim);

    private void Lock(int node)
    {
        if (Interlocked.CompareExchange(ref _locks[node], 1, 0) == 0)
            return;
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref _locks[node], 1, 0) != 0)
            spin.SpinOnce(-1);
    }

    private void Unlock(int node) => Volatile.Write(ref _locks[node], 0);

    private int CopyNeighbors(int node, int level, int[] into)
    {
        Lock(node);
        int* links = Links(node, level);
        int n = links[0];
        for (int j = 0; j < n; j++)
            into[j] = links[1 + j];
        Unlock(node);
        return n;
    }

    private void Insert(int cur, SearchContext ctx, BuildScratch scratch)
    {
        int level = Levels[cur];
        Monitor.Enter(_global);
        int maxLevel = _maxLevel;
        int ep = _entryPoint;
        bool holdGlobal = level > maxLevel;
        if (!holdGlobal)
            Monitor.Exit(_global);
        try
        {
            if (ep < 0)
            {
                _entryPoint = cur;
                _maxLevel = level;
                return;
            }
            float* q = Vector(cur);
            float epDist = Dist(q, Vector(ep));
            var nbuf = ctx.Neighbors;
            for (int l = maxLevel; l > level; l--)
            {
                bool changed = true;
                while (changed)
                {
                    changed = false;
                    int n = CopyNeighbors(ep, l, nbuf);
                    for (int j = 0; j < n; j++)
                    {
                        int c = nbuf[j];
                        float d = Dist(q, Vector(c));
                        if (d < epDist)
                        {
                            epDist = d;
                            ep = c;
                            changed = true;
                        }
                    }
                }
            }
            for (int l = Math.Min(level, maxLevel); l >= 0; l--)
            {
                SearchLayer(q, ep, epDist, l, ctx);
                ep = Connect(cur, l, ctx, scratch, out epDist);
            }
            if (holdGlobal)
            {
                Volatile.Write(ref _maxLevel, level);
                Volatile.Write(ref _entryPoint, cur);
            }
        }
        finally
        {
            if (holdGlobal)
                Monitor.Exit(_global);
        }
    }

    /// <summary>hnswlib's searchBaseLayer: the best efConstruction nodes of one layer into ctx.Top.</summary>
    private void SearchLayer(float* q, int ep, float epDist, int level, SearchContext ctx)
    {
        ctx.NewVisit();
        var marks = ctx.Marks;
        ushort epoch = ctx.Epoch;
        var top = ctx.Top;
        var cand = ctx.Candidates;
        top.Clear();
        cand.Clear();
        marks[ep] = epoch;
        top.Push(epDist, ep);
        cand.Push(epDist, ep);
        float lower = epDist;
        int ef = _efConstruction;
        var nbuf = ctx.Neighbors;
        while (cand.Count > 0)
        {
            float cd = cand.TopDistance;
            int c = cand.TopId;
            if (cd > lower && top.Count >= ef)
                break;
            cand.Pop();
            int n = CopyNeighbors(c, level, nbuf);
            for (int j = 0; j < n; j++)
            {
                int nb = nbuf[j];
                if (marks[nb] == epoch)
                    continue;
                marks[nb] = epoch;
                float d = Dist(q, Vector(nb));
                if (top.Count < ef || d < lower)
                {
                    cand.Push(d, nb);
                    top.Push(d, nb);
                    if (top.Count > ef)
                        top.Pop();
                    lower = top.TopDistance;
                }
            }
        }
    }

    private int Connect(int cur, int level, SearchContext ctx, BuildScratch s, out float closestDist)
    {
        int n = ctx.Top.Count;
        ctx.EnsureResultCapacity(n);
        var dist = ctx.ResultDist;
        var ids = ctx.ResultIds;
        ctx.Top.DrainAscending(dist, ids);
        int selected = SelectNeighbors(dist, ids, n, _m, s.SelectedIds, s.SelectedDist);
        int closest = s.SelectedIds[0];
        closestDist = s.SelectedDist[0];

        Lock(cur);
        int* own = Links(cur, level);
        for (int j = 0; j < selected; j++)
            own[1 + j] = s.SelectedIds[j];
        own[0] = selected;
        Unlock(cur);

        int maxConn = level == 0 ? _maxM0 : _m;
        float* curVec = Vector(cur);
        for (int j = 0; j < selected; j++)
        {
            int nb = s.SelectedIds[j];
            Lock(nb);
            int* links = Links(nb, level);
            int cnt = links[0];
            if (cnt < maxConn)
            {
                links[1 + cnt] = cur;
                links[0] = cnt + 1;
            }
            else
            {
                // Full: keep the heuristic's choice among the old neighbours and the new node, seen from nb.
                float* nbVec = Vector(nb);
                int m = 0;
                s.CandDist[m] = Dist(nbVec, curVec);
                s.CandIds[m++] = cur;
                for (int t = 0; t < cnt; t++)
                {
                    int o = links[1 + t];
                    s.CandDist[m] = Dist(nbVec, Vector(o));
                    s.CandIds[m++] = o;
                }
                SortAscending(s.CandDist, s.CandIds, m);
                int kept = SelectNeighbors(s.CandDist, s.CandIds, m, maxConn, s.PrunedIds, s.PrunedDist);
                for (int t = 0; t < kept; t++)
                    links[1 + t] = s.PrunedIds[t];
                links[0] = kept;
            }
            Unlock(nb);
        }
        return closest;
    }

    /// <summary>getNeighborsByHeuristic2 over candidates sorted closest-first: a candidate is kept unless it is closer
    /// to an already kept neighbour than to the base point. Fewer than <paramref name="max"/> candidates are all kept.</summary>
    private int SelectNeighbors(float[] dist, int[] ids, int n, int max, int[] outIds, float[] outDist)
    {
        if (n < max)
        {
            Array.Copy(ids, outIds, n);
            Array.Copy(dist, outDist, n);
            return n;
        }
        int kept = 0;
        for (int i = 0; i < n && kept < max; i++)
        {
            float dc = dist[i];
            float* cv = Vector(ids[i]);
            bool good = true;
            for (int j = 0; j < kept; j++)
            {
                if (Dist(cv, Vector(outIds[j])) < dc)
                {
                    good = false;
                    break;
                }
            }
            if (good)
            {
                outIds[kept] = ids[i];
                outDist[kept] = dc;
                kept++;
            }
        }
        return kept;
    }

    private static void SortAscending(float[] dist, int[] ids, int n)
    {
        for (int i = 1; i < n; i++)
        {
            float d = dist[i];
            int id = ids[i];
            int j = i - 1;
            while (j >= 0 && dist[j] > d)
            {
                dist[j + 1] = dist[j];
                ids[j + 1] = ids[j];
                j--;
            }
            dist[j + 1] = d;
            ids[j + 1] = id;
        }
    }

    private sealed class BuildScratch(int size)
    {
        public int[] SelectedIds { get; } = new int[size];
        public float[] SelectedDist { get; } = new float[size];
        public int[] CandIds { get; } = new int[size + 1];
        public float[] CandDist { get; } = new float[size + 1];
        public int[] PrunedIds { get; } = new int[size + 1];
        public float[] PrunedDist { get; } = new float[size + 1];
    }
}
