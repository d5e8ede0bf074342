using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Vectors;

/// <summary>
/// Keeps the k best (id, score) pairs seen, for one metric; allocation-free after construction and reusable
/// through <see cref="Reset()"/>. Order: better score first, equal scores by smaller id, so results do not depend on
/// the order rows were visited. NaN scores are ignored.
/// </summary>
/// <remarks>
/// A bounded binary max-heap whose root is the worst kept entry. Scores are stored as keys where smaller is better
/// (similarities are negated; negation is exact), so one comparison serves every metric. While the heap is full,
/// <see cref="Push"/> rejects a worse candidate with a single compare against the cached root key.
/// </remarks>
public sealed class TopKCollector
{
    private readonly float[] _keys;
    private readonly long[] _ids;
    private readonly float[] _sortKeys;
    private readonly long[] _sortIds;
    private int _k;
    private int _count;
    private bool _negate;
    private float _worstKey;

    public TopKCollector(int k, MetricType metric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _keys = new float[k];
        _ids = new long[k];
        _sortKeys = new float[k];
        _sortIds = new long[k];
        Reset(k, metric);
    }

    /// <summary>The largest k this collector can be reset to.</summary>
    public int Capacity => _keys.Length;

    public int K => _k;

    public MetricType Metric { get; private set; }

    /// <summary>Entries kept so far (at most <see cref="K"/>).</summary>
    public int Count => _count;

    public bool IsFull => _count == _k;

    /// <summary>The score a candidate must beat (or tie with a smaller id) to enter; the metric's worst score
    /// until the collector is full. Lets callers prune work.</summary>
    public float Threshold => IsFull ? FromKey(_keys[0]) : Metric.WorstScore();

    public void Reset()
    {
        _count = 0;
        _worstKey = float.PositiveInfinity;
    }

    public void Reset(int k, MetricType metric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (k > Capacity)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k exceeds this collector's capacity {Capacity}");
        if (metric is not (MetricType.L2 or MetricType.IP or MetricType.Cosine))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric type");
        _k = k;
        Metric = metric;
        _negate = metric.HigherIsBetter();
        Reset();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(long id, float score)
    {
        float key = _negate ? -score : score;
        // _worstKey is +inf until full, so this rejects only when full and strictly worse; NaN falls through.
        if (key > _worstKey)
            return;
        PushSlow(id, key);
    }

    /// <summary>Writes the kept entries best-first and returns how many were written. The collector is unchanged
    /// and can keep collecting.</summary>
    public int CopySorted(Span<long> ids, Span<float> scores)
    {
        int n = _count;
        if (ids.Length < n || scores.Length < n)
            throw new ArgumentException($"output spans hold {Math.Min(ids.Length, scores.Length)} entries, need {n}");
        var keys = _sortKeys.AsSpan(0, n);
        var hids = _sortIds.AsSpan(0, n);
        _keys.AsSpan(0, n).CopyTo(keys);
        _ids.AsSpan(0, n).CopyTo(hids);
        // Heap sort: the root is the worst, so it goes to the back.
        for (int size = n; size > 0; size--)
        {
            int last = size - 1;
            ids[last] = hids[0];
            scores[last] = FromKey(keys[0]);
            if (last > 0)
                SiftDown(keys, hids, last, keys[last], hids[last], 0);
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PushSlow(long id, float key)
    {
        if (float.IsNaN(key))
            return;
        if (_count < _k)
        {
            SiftUp(_count, key, id);
            _count++;
            if (_count == _k)
                _worstKey = _keys[0];
            return;
        }
        if (!IsWorse(_keys[0], _ids[0], key, id))
            return;
        SiftDown(_keys, _ids, _count, key, id, 0);
        _worstKey = _keys[0];
    }

    private void SiftUp(int pos, float key, long id)
    {
        var keys = _keys;
        var ids = _ids;
        while (pos > 0)
        {
            int parent = (pos - 1) >> 1;
            if (!IsWorse(key, id, keys[parent], ids[parent]))
                break;
            keys[pos] = keys[parent];
            ids[pos] = ids[parent];
            pos = parent;
        }
        keys[pos] = key;
        ids[pos] = id;
    }

    /// <summary>Places (key, id) at <paramref name="pos"/> of a heap of <paramref name="size"/> and restores order.</summary>
    private static void SiftDown(Span<float> keys, Span<long> ids, int size, float key, long id, int pos)
    {
        while (true)
        {
            int child = (2 * pos) + 1;
            if (child >= size)
                break;
            if (child + 1 < size && IsWorse(keys[child + 1], ids[child + 1], keys[child], ids[child]))
                child++;
            if (!IsWorse(keys[child], ids[child], key, id))
                break;
            keys[pos] = keys[child];
            ids[pos] = ids[child];
            pos = child;
        }
        keys[pos] = key;
        ids[pos] = id;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWorse(float keyA, long idA, float keyB, long idB) =>
        keyA > keyB || (keyA == keyB && idA > idB);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float FromKey(float key) => _negate ? -key : key;
}
