using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Benchmarks;

/// <summary>
/// <c>ann INDEX</c>: the anchor benchmark's "own tool" (shared/bench/README.md). Reads BENCH_BASE, BENCH_QUERY,
/// BENCH_GT (fvecs/ivecs), BENCH_METRIC (l2, ip, cosine), BENCH_DATASET, BENCH_EFS (sweep: ef for HNSW, nprobe for
/// IVF), BENCH_REPS, BENCH_BUILD_THREADS and BENCH_PARAMS (Milvus build parameters, <c>M=16;efConstruction=200</c>);
/// builds through <see cref="VectorIndexFactory.Build"/>, then runs the queries one at a time on one thread and
/// prints one CSV row per sweep point: recall@10 of the first repetition, median/min/max QPS over BENCH_REPS.
/// Before timing, about 2 s of untimed queries let tiered compilation reach its optimised code (tier 1 is compiled in
/// the background after a delay; without this the first sweep point runs partly on tier-0/OSR code).
/// Extension: BENCH_INDEX_FILE = a path; when it exists the index is loaded from it instead of built (build_s,
/// build_cpu_s and index_mb are then NA), otherwise it is built and saved there (query-only repeats, like
/// hnsw_native's load:PATH). BENCH_REFINE_K = Milvus's refine_k for every search (HNSW_SQ with refine, IVF_PQ); the rows
/// then carry <c>;refine_k=X</c> in the search parameter.
/// </summary>
internal static partial class AnnBenchmark
{
    private const string Header = "lib,dataset,n,dim,metric,params,build_threads,build_s,build_cpu_s,peak_rss_mb,index_mb,search_param,recall_at_10,qps_median,qps_min,qps_max,qps_per_cpu_s,query_threads,loadavg1_at_start";
    private const int K = 10;

    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: ann INDEX   (flat | hnsw | hnsw_sq | ivf_flat | ivf_sq8 | ivf_pq | autoindex); configuration from BENCH_* variables");
            return 2;
        }
        string indexType = args[1].ToUpperInvariant();
        string basePath = Env("BENCH_BASE", null);
        string queryPath = Env("BENCH_QUERY", null);
        string gtPath = Env("BENCH_GT", null);
        string metricName = Env("BENCH_METRIC", "l2");
        string dataset = Env("BENCH_DATASET", Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(basePath))) ?? "NA");
        int reps = int.Parse(Env("BENCH_REPS", "3"), CultureInfo.InvariantCulture);
        int threads = int.Parse(Env("BENCH_BUILD_THREADS", "2"), CultureInfo.InvariantCulture);
        string paramText = Env("BENCH_PARAMS", "");
        var parameters = ParseParams(paramText);
        var metric = Metrics.Parse(metricName);
        bool ivf = indexType.StartsWith("IVF", StringComparison.Ordinal);
        bool exact = indexType == "FLAT";
        float refineK = float.Parse(Env("BENCH_REFINE_K", "0"), CultureInfo.InvariantCulture);
        int[] sweep = exact ? [0] : Env("BENCH_EFS", ivf ? "1,2,4,8,16,32,64,128" : "16,32,64,128,256")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        var (data, n, dim) = Fvecs.Read(basePath);
        var (queries, nq, qdim) = Fvecs.Read(queryPath);
        if (qdim != dim)
            throw new InvalidDataException($"queries have dimension {qdim}, base {dim}");
        var gt = ReadIvecs(gtPath, nq);
        Console.Error.WriteLine($"# ann {indexType}: {dataset} n={n} dim={dim} nq={nq} metric={metricName} params='{paramText}' threads={threads} kernels={Distance.InstructionSet} loadavg {BenchReport.LoadAverage()}");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long rssBefore = ReadStatusKb("VmRSS:");
        var cpu0 = BenchReport.ProcessCpu();
        var wall = Stopwatch.StartNew();
        string? indexFile = Environment.GetEnvironmentVariable("BENCH_INDEX_FILE") is { Length: > 0 } f ? f : null;
        bool loaded = indexFile is not null && File.Exists(indexFile);
        var index = loaded
            ? VectorIndexFactory.Load(indexType, File.ReadAllBytes(indexFile!), data)
            : VectorIndexFactory.Build(indexType, data, n, dim, metric, parameters, threads, CancellationToken.None);
        double buildS = wall.Elapsed.TotalSeconds;
        double buildCpuS = (BenchReport.ProcessCpu() - cpu0).TotalSeconds;
        GC.Collect();
        long rssAfter = ReadStatusKb("VmRSS:");
        double indexMb = (rssAfter - rssBefore) / 1024.0;
        Console.Error.WriteLine($"# {(loaded ? "loaded" : "built")} {index.IndexType} in {buildS:F2} s ({buildCpuS:F2} CPU-s), index {index.MemoryBytes / 1048576.0:F1} MB by MemoryBytes, RSS delta {indexMb:F0} MB");
        if (indexFile is not null && !loaded)
            File.WriteAllBytes(indexFile, index.Serialize());
        string buildSText = loaded ? "NA" : F(buildS), buildCpuText = loaded ? "NA" : F(buildCpuS);
        string indexMbText = loaded ? "NA" : indexMb.ToString("F0", CultureInfo.InvariantCulture);

        Console.WriteLine(Header);
        var collector = new TopKCollector(K, metric);
        var scores = new float[K];
        var found = new long[nq * K];
        var foundCount = new int[nq];
        // Warm-up: let tiered compilation reach the optimised code (not timed, not counted).
        var warm = Stopwatch.StartNew();
        for (int q = 0; warm.Elapsed.TotalSeconds < 2.0 && q < 200 * nq; q++)
        {
            collector.Reset();
            index.Search(queries.AsSpan(q % nq * dim, dim), collector, default, SearchParams(ivf, sweep[q % sweep.Length], refineK));
        }
        string lib = "vectoraspire-" + indexType.ToLowerInvariant();
        if (loaded)
            paramText += ";loaded";
        foreach (int p in sweep)
        {
            string load = BenchReport.LoadAverage().Split(' ')[0];
            var sp = SearchParams(ivf, p, refineK);
            var qps = new double[reps];
            var perCpu = new double[reps];
            double recall = 0;
            for (int r = 0; r < reps; r++)
            {
                double c0 = ThreadCpuSeconds();
                long t0 = Stopwatch.GetTimestamp();
                for (int q = 0; q < nq; q++)
                {
                    collector.Reset();
                    index.Search(queries.AsSpan(q * dim, dim), collector, default, sp);
                    if (r == 0)
                        foundCount[q] = collector.CopySorted(found.AsSpan(q * K, K), scores);
                }
                double secs = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                double cpuSecs = ThreadCpuSeconds() - c0;
                qps[r] = nq / secs;
                perCpu[r] = cpuSecs > 0 ? nq / cpuSecs : 0;
                if (r == 0)
                    recall = Recall(gt, found, foundCount, nq);
            }
            Array.Sort(qps);
            string median = F(BenchReport.Median(qps));
            string searchParam = exact ? "NA" : (ivf ? "nprobe=" : "ef=") + p.ToString(CultureInfo.InvariantCulture)
                + (refineK > 0 ? ";refine_k=" + refineK.ToString(CultureInfo.InvariantCulture) : "");
            long peak = ReadStatusKb("VmHWM:");
            Console.WriteLine(string.Join(',', lib, dataset, n.ToString(CultureInfo.InvariantCulture), dim.ToString(CultureInfo.InvariantCulture),
                metricName.ToLowerInvariant(), paramText.Length == 0 ? "defaults" : paramText.Replace(',', ';'), threads.ToString(CultureInfo.InvariantCulture),
                buildSText, buildCpuText, (peak / 1024).ToString(CultureInfo.InvariantCulture), indexMbText,
                searchParam, recall.ToString("F4", CultureInfo.InvariantCulture), median, F(qps[0]), F(qps[^1]), F(BenchReport.Median(perCpu)), "1", load));
        }
        GC.KeepAlive(index);
        return 0;
    }

    private static IndexSearchParams SearchParams(bool ivf, int p, float refineK) =>
        ivf ? new IndexSearchParams(Nprobe: p, RefineK: refineK) : new IndexSearchParams(Ef: p, RefineK: refineK);

    private static double Recall(int[][] gt, long[] found, int[] foundCount, int nq)
    {
        long hits = 0;
        for (int q = 0; q < nq; q++)
        {
            var truth = gt[q].AsSpan(0, Math.Min(K, gt[q].Length));
            for (int i = 0; i < foundCount[q]; i++)
            {
                if (truth.Contains((int)found[(q * K) + i]))
                    hits++;
            }
        }
        return (double)hits / (nq * (double)K);
    }

    private static Dictionary<string, string> ParseParams(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new FormatException($"BENCH_PARAMS entry '{part}' is not key=value");
            string key = part[..eq].Trim();
            if (key == "efC")
                key = "efConstruction"; // the anchor rows' spelling
            d[key] = part[(eq + 1)..].Trim();
        }
        return d;
    }

    private static int[][] ReadIvecs(string path, int maxCount)
    {
        var bytes = File.ReadAllBytes(path);
        var rows = new List<int[]>();
        int pos = 0;
        while (pos + 4 <= bytes.Length && rows.Count < maxCount)
        {
            int n = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos));
            if (n < 0 || pos + 4 + (4L * n) > bytes.Length)
                throw new InvalidDataException($"{path}: bad record at byte {pos}");
            var row = new int[n];
            for (int i = 0; i < n; i++)
                row[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos + 4 + (4 * i)));
            rows.Add(row);
            pos += 4 + (4 * n);
        }
        return rows.ToArray();
    }

    private static long ReadStatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    private static string Env(string name, string? fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
        : fallback ?? throw new ArgumentException($"environment variable {name} is required (see shared/bench/README.md, 'Own tool')");

    /// <summary>CPU time of the calling (query) thread, as hnsw_native measures it (CLOCK_THREAD_CPUTIME_ID);
    /// the process CPU time where that clock is unavailable.</summary>
    private static double ThreadCpuSeconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
            return ts.Seconds + (ts.Nanoseconds * 1e-9);
        return BenchReport.ProcessCpu().TotalSeconds;
    }

    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out Timespec ts);

    private static string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
}
