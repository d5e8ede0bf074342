using System.Diagnostics;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Benchmarks;

/// <summary>Single-query FLAT top-k on one thread, then the same queries as one batch.</summary>
internal static class FlatBenchmark
{
    public static void Run(BenchOptions options)
    {
        var genWatch = Stopwatch.StartNew();
        var (o, rowArray, queries) = LoadData(options);
        using var store = new RowStore(rowArray, o.Aligned);
        var rows = store.Span;
        Console.WriteLine($"# flat: rows {o.Rows}, dim {o.Dim}, queries {o.Queries}, k {o.K}, metric {o.Metric.ToMilvusName()}, " +
            $"seed {o.Seed}, filter density {o.FilterDensity}, data {o.BasePath ?? "generated"}");
        ulong[] filter = [];
        int eligible = o.Rows;
        if (o.FilterDensity < 1.0)
        {
            var rng = new Random(o.Seed + 2);
            filter = new ulong[(o.Rows + 63) / 64];
            eligible = 0;
            for (int i = 0; i < o.Rows; i++)
            {
                if (rng.NextDouble() < o.FilterDensity)
                {
                    filter[i >> 6] |= 1UL << i;
                    eligible++;
                }
            }
        }
        Console.WriteLine($"# rows {(o.Aligned ? "64-byte aligned native memory" : "managed array")}, data address mod 64 = {store.Alignment}");
        Console.WriteLine($"# data ready in {genWatch.Elapsed.TotalSeconds:F1} s ({(double)rows.Length * sizeof(float) / 1e6:F0} MB), eligible rows {eligible}");

        var collector = new TopKCollector(o.K, o.Metric);
        // Warm-up: enough calls and time for tiered compilation to reach optimized code.
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 40 || warm.ElapsedMilliseconds < 1000; i++)
        {
            collector.Reset();
            FlatSearch.Search(rows, o.Dim, o.Rows, Query(queries, o.Dim, i % o.Queries), o.Metric, collector, 0, filter);
        }

        var latencies = new double[o.Queries];
        var cpu0 = BenchReport.ProcessCpu();
        long total0 = Stopwatch.GetTimestamp();
        long checksum = 0;
        for (int q = 0; q < o.Queries; q++)
        {
            long t0 = Stopwatch.GetTimestamp();
            collector.Reset();
            FlatSearch.Search(rows, o.Dim, o.Rows, Query(queries, o.Dim, q), o.Metric, collector, 0, filter);
            latencies[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            checksum += collector.Count;
        }
        double totalS = Stopwatch.GetElapsedTime(total0).TotalSeconds;
        double cpuS = (BenchReport.ProcessCpu() - cpu0).TotalSeconds;
        Array.Sort(latencies);
        double median = BenchReport.Percentile(latencies, 0.5);
        double p99 = BenchReport.Percentile(latencies, 0.99);
        double bytes = (double)eligible * o.Dim * sizeof(float);
        Console.WriteLine($"single-query top-{o.K}, 1 thread: median {median:F3} ms, p99 {p99:F3} ms, min {latencies[0]:F3} ms, " +
            $"QPS {o.Queries / totalS:F1}, scan {bytes / (median / 1e3) / 1e9:F2} GB/s at median " +
            $"({bytes / (latencies[0] / 1e3) / 1e9:F2} GB/s best), process CPU {cpuS:F2} s for {totalS:F2} s wall " +
            $"= {o.Queries / cpuS:F1} queries per CPU-second");

        // Batched: all queries over the same rows, each row tile reused by every query while in cache.
        var collectors = new TopKCollector[o.Queries];
        for (int j = 0; j < collectors.Length; j++)
            collectors[j] = new TopKCollector(o.K, o.Metric);
        // Warm-up as above (tiering needs ~30 calls); a small batch keeps it short.
        warm.Restart();
        int warmQueries = Math.Min(8, o.Queries);
        for (int i = 0; i < 40 || warm.ElapsedMilliseconds < 1000; i++)
        {
            foreach (var c in collectors.AsSpan(0, warmQueries))
                c.Reset();
            FlatSearch.SearchBatch(rows, o.Dim, o.Rows, queries.AsSpan(0, warmQueries * o.Dim), o.Metric, collectors.AsSpan(0, warmQueries), 0, filter);
        }
        var batchTimes = new double[3];
        var batchCpu0 = BenchReport.ProcessCpu();
        for (int rep = 0; rep < batchTimes.Length; rep++)
        {
            foreach (var c in collectors)
                c.Reset();
            long t0 = Stopwatch.GetTimestamp();
            FlatSearch.SearchBatch(rows, o.Dim, o.Rows, queries, o.Metric, collectors, 0, filter);
            batchTimes[rep] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        double batchCpuS = (BenchReport.ProcessCpu() - batchCpu0).TotalSeconds / batchTimes.Length;
        double batchS = BenchReport.Median(batchTimes);
        Console.WriteLine($"batch of {o.Queries} queries, 1 thread: {batchS * 1e3:F1} ms (median of {batchTimes.Length}), " +
            $"QPS {o.Queries / batchS:F1}, {bytes * o.Queries / batchS / 1e9:F1} GB/s of row data scored, " +
            $"{o.Queries / batchCpuS:F1} queries per CPU-second");
        CheckBatchMatchesSingle(o, rows, queries, filter, collector, collectors[0]);
        if (checksum != (long)o.Queries * Math.Min(o.K, eligible))
            Console.WriteLine($"warning: unexpected result count {checksum}");
    }

    private static void CheckBatchMatchesSingle(BenchOptions o, ReadOnlySpan<float> rows, float[] queries, ulong[] filter, TopKCollector single, TopKCollector batched)
    {
        single.Reset();
        FlatSearch.Search(rows, o.Dim, o.Rows, Query(queries, o.Dim, 0), o.Metric, single, 0, filter);
        var a = new long[o.K];
        var b = new long[o.K];
        var sa = new float[o.K];
        var sb = new float[o.K];
        int n = single.CopySorted(a, sa);
        batched.CopySorted(b, sb);
        if (!a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n)))
            Console.WriteLine("warning: batch result differs from single-query result for query 0");
        Console.WriteLine($"query 0 top-{Math.Min(3, n)}: {string.Join(", ", Enumerable.Range(0, Math.Min(3, n)).Select(i => $"{a[i]}:{sa[i]:G6}"))}");
    }

    private static (BenchOptions, float[] Rows, float[] Queries) LoadData(BenchOptions o)
    {
        if (o.BasePath is { } basePath && o.QueryPath is { } queryPath)
        {
            var (rows, n, dim) = Fvecs.Read(basePath, o.RowsGiven ? o.Rows : int.MaxValue);
            var (queries, nq, qdim) = Fvecs.Read(queryPath, o.Queries);
            if (qdim != dim)
                throw new InvalidDataException($"base dim {dim} and query dim {qdim} differ");
            return (o.With(n, dim, nq), rows, queries);
        }
        var generatedRows = BenchReport.RandomVectors(o.Seed, o.Rows, o.Dim);
        var generatedQueries = BenchReport.RandomVectors(o.Seed + 1, o.Queries, o.Dim);
        if (o.SavePrefix is { } prefix)
        {
            Fvecs.Write(prefix + ".base.fvecs", generatedRows, o.Dim);
            Fvecs.Write(prefix + ".query.fvecs", generatedQueries, o.Dim);
            Console.WriteLine($"# wrote {prefix}.base.fvecs and {prefix}.query.fvecs");
        }
        return (o, generatedRows, generatedQueries);
    }

    private static ReadOnlySpan<float> Query(float[] queries, int dim, int q) => queries.AsSpan(q * dim, dim);
}
