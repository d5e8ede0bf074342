using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Indexes.Hnsw;

/// <summary>Binary heap of (distance, node) with the smallest distance at the root: the candidate frontier.</summary>
internal sealed unsafe class MinDistanceHeap
{
    private float[] _distArray = null!;
    private int[] _idArray = null!;
    private float* _dist;
    private int* _ids;
    private int _capacity;

    public MinDistanceHeap(int capacity) => Allocate(Math.Max(capacity, 16), 0);

    public int Count { get; private set; }

    public float TopDistance => _dist[0];

    public int TopId => _ids[0];

    public void Clear() => Count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float dist, int id)
    {
        if (Count == _capacity)
            Allocate(_capacity * 2, Count);
        float* d = _dist;
        int* ids = _ids;
        int pos = Count++;
        while (pos > 0)
        {
            int parent = (pos - 1) >> 1;
            if (d[parent] <= dist)
                break;
            d[pos] = d[parent];
            ids[pos] = ids[parent];
            pos = parent;
        }
        d[pos] = dist;
        ids[pos] = id;
    }

    public void Pop()
    {
        int n = --Count;
        if (n > 0)
            SiftDown(_dist[n], _ids[n], n);
    }

    private void SiftDown(float dist, int id, int size)
    {
        float* d = _dist;
        int* ids = _ids;
        int pos = 0;
        while (true)
        {
            int child = (2 * pos) + 1;
            if (child >= size)
                break;
            if (child + 1 < size && d[child + 1] < d[child])
                child++;
            if (d[child] >= dist)
                break;
            d[pos] = d[child];
            ids[pos] = ids[child];
            pos = child;
        }
        d[pos] = dist;
        ids[pos] = id;
    }

    // Pinned (POH) arrays: the pointers stay valid for the heap's lifetime, so the hot loops carry no bounds checks.
    private void Allocate(int capacity, int keep)
    {
        var d = GC.AllocateUninitializedArray<float>(capacity, pinned: true);
        var ids = GC.AllocateUninitializedArray<int>(capacity, pinned: true);
        if (keep > 0)
        {
            _distArray.AsSpan(0, keep).CopyTo(d);
            _idArray.AsSpan(0, keep).CopyTo(ids);
        }
        _distArray = d;
        _idArray = ids;
        _dist = (float*)Unsafe.AsPointer(ref d[0]);
        _ids = (int*)Unsafe.AsPointer(ref ids[0]);
        _capacity = capacity;
    }
}

/// <summary>Binary heap of (distance, node) with the largest distance at the root: the best-ef result list, whose
/// root is the bound a new candidate must beat.</summary>
internal sealed unsafe class MaxDistanceHeap
{
    private float[] _distArray = null!;
    private int[] _idArray = null!;
    private float* _dist;
    private int* _ids;
    private int _capacity;

    public MaxDistanceHeap(int capacity) => Allocate(Math.Max(capacity, 16), 0);

    public int Count { get; private set; }

    public float TopDistance => _dist[0];

    public int TopId => _ids[0];

    public float DistanceAt(int i) => _dist[i];

    public int IdAt(int i) => _ids[i];

    public void Clear() => Count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float dist, int id)
    {
        if (Count == _capacity)
            Allocate(_capacity * 2, Count);
        float* d = _dist;
        int* ids = _ids;
        int pos = Count++;
        while (pos > 0)
        {
            int parent = (pos - 1) >> 1;
            if (d[parent] >= dist)
                break;
            d[pos] = d[parent];
            ids[pos] = ids[parent];
            pos = parent;
        }
        d[pos] = dist;
        ids[pos] = id;
    }

    public void Pop()
    {
        int n = --Count;
        if (n > 0)
            SiftDown(_dist[n], _ids[n], n);
    }

    /// <summary>Empties the heap into <paramref name="dist"/>/<paramref name="ids"/> closest first; returns the count.</summary>
    public int DrainAscending(Span<float> dist, Span<int> ids)
    {
        int n = Count;
        for (int i = n - 1; i >= 0; i--)
        {
            dist[i] = _dist[0];
            ids[i] = _ids[0];
            Pop();
        }
        return n;
    }

    private void SiftDown(float dist, int id, int size)
    {
        float* d = _dist;
        int* ids = _ids;
        int pos = 0;
        while (true)
        {
            int child = (2 * pos) + 1;
            if (child >= size)
                break;
            if (child + 1 < size && d[child + 1] > d[child])
                child++;
            if (d[child] <= dist)
                break;
            d[pos] = d[child];
            ids[pos] = ids[child];
            pos = child;
        }
        d[pos] = dist;
        ids[pos] = id;
    }

    // Pinned (POH) arrays: the pointers stay valid for the heap's lifetime, so the hot loops carry no bounds checks.
    private void Allocate(int capacity, int keep)
    {
        var d = GC.AllocateUninitializedArray<float>(capacity, pinned: true);
        var ids = GC.AllocateUninitializedArray<int>(capacity, pinned: true);
        if (keep > 0)
        {
            _distArray.AsSpan(0, keep).CopyTo(d);
            _idArray.AsSpan(0, keep).CopyTo(ids);
        }
        _distArray = d;
        _idArray = ids;
        _dist = (float*)Unsafe.AsPointer(ref d[0]);
        _ids = (int*)Unsafe.AsPointer(ref ids[0]);
        _capacity = capacity;
    }
}

/// <summary>
/// Per-thread search scratch: an epoch-stamped visited array (one ushort per node, cleared only when the epoch wraps,
/// as hnswlib's VisitedList), the two heaps, and buffers for the prepared query and for draining results. Reused
/// across queries through <see cref="SearchContextPool"/>, so a warmed-up search allocates nothing.
/// </summary>
internal sealed class SearchContext
{
    private readonly ushort[] _marks;
    private ushort _epoch;

    public SearchContext(int nodes, int dim, int ef)
    {
        _marks = GC.AllocateArray<ushort>(Math.Max(nodes, 1), pinned: true);
        Candidates = new MinDistanceHeap(ef * 4);
        Top = new MaxDistanceHeap(ef + 1);
        Query = GC.AllocateArray<float>(Math.Max(dim, 1) + 16, pinned: true);
        Aux = GC.AllocateArray<float>(Math.Max(dim, 1) + 16, pinned: true);
        ResultDist = new float[ef + 1];
        ResultIds = new int[ef + 1];
        Neighbors = new int[256];
    }

    public MinDistanceHeap Candidates { get; }

    public MaxDistanceHeap Top { get; }

    /// <summary>The prepared query (normalised, shifted): pinned so spaces can hold a pointer to it.</summary>
    public float[] Query { get; }

    /// <summary>A second per-query vector (the SQ scale-multiplied query).</summary>
    public float[] Aux { get; }

    /// <summary>The current search's refine_k (0 = the index default), read when the candidates are re-scored.</summary>
    public float RefineK { get; set; }

    public float[] ResultDist { get; private set; }

    public int[] ResultIds { get; private set; }

    /// <summary>A copy of one neighbour list, taken under the node's lock during a build.</summary>
    public int[] Neighbors { get; set; }

    public ushort[] Marks => _marks;

    /// <summary>The visited array's address (it is pinned).</summary>
    public unsafe ushort* MarksPointer => (ushort*)Unsafe.AsPointer(ref _marks[0]);

    public ushort Epoch => _epoch;

    /// <summary>Starts a traversal: every node becomes unvisited.</summary>
    public void NewVisit()
    {
        if (++_epoch == 0)
        {
            Array.Clear(_marks);
            _epoch = 1;
        }
    }

    public void EnsureResultCapacity(int n)
    {
        if (ResultDist.Length < n)
        {
            ResultDist = new float[n];
            ResultIds = new int[n];
        }
    }
}

/// <summary>A small lock-free pool of <see cref="SearchContext"/>; renting and returning allocate nothing.</summary>
internal sealed class SearchContextPool(int nodes, int dim)
{
    private readonly SearchContext?[] _slots = new SearchContext?[Math.Max(4, 2 * Environment.ProcessorCount)];

    public SearchContext Rent(int ef)
    {
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            var c = Interlocked.Exchange(ref slots[i], null);
            if (c is not null)
                return c;
        }
        return new SearchContext(nodes, dim, Math.Max(ef, 64));
    }

    public void Return(SearchContext context)
    {
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref slots[i], context, null) is null)
                return;
        }
    }
}
