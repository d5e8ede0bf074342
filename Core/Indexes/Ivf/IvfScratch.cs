using System.Runtime.CompilerServices;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// Per-thread search scratch, grown on first use and reused: after warm-up an IVF search allocates nothing.
/// A search never re-enters another search on the same thread, so one instance per thread suffices.
/// </summary>
internal sealed class IvfScratch
{
    [ThreadStatic]
    private static IvfScratch? t_instance;

    /// <summary>The current search's refine_k (0 = the index default), read by IVF_PQ's re-rank.</summary>
    public float RefineK;
    public float[] Query = [];
    public float[] CentroidScores = [];
    public long[] ProbeIds = [];
    public float[] ProbeScores = [];
    public int[] ProbeLists = [];
    public float[] QueryAux = [];
    public float[] Table = [];
    public long[] CandidateIds = [];
    public float[] CandidateScores = [];
    private TopKCollector? _probes;
    private TopKCollector? _candidates;

    public static IvfScratch Current => t_instance ??= new IvfScratch();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T[] Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        return buffer;
    }

    /// <summary>A collector reset to (k, metric), reallocated only when k outgrows it.</summary>
    public TopKCollector Probes(int k, MetricType metric) => Reuse(ref _probes, k, metric);

    public TopKCollector Candidates(int k, MetricType metric) => Reuse(ref _candidates, k, metric);

    private static TopKCollector Reuse(ref TopKCollector? collector, int k, MetricType metric)
    {
        if (collector is null || collector.Capacity < k)
            collector = new TopKCollector(Math.Max(k, collector is null ? 0 : collector.Capacity * 2), metric);
        collector.Reset(k, metric);
        return collector;
    }
}
