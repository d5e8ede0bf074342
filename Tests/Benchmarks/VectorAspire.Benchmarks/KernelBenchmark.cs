using System.Diagnostics;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Benchmarks;

/// <summary>Stopwatch micro-benchmarks of the distance kernels: one pair in L1, a block in L2, a block from memory.</summary>
internal static class KernelBenchmark
{
    private const double RoundSeconds = 0.1;
    private const int Rounds = 5;
    private const double WarmUpSeconds = 0.3;

    public static void Run(BenchOptions o)
    {
        Console.WriteLine("# kernels: ns per call (pair in L1), GB/s of rows scored (block in L2, block from memory); median of 5 rounds");
        var dims = new SortedSet<int> { o.Dim, 128, 768 };
        foreach (int dim in dims)
        {
            var a = BenchReport.RandomVectors(o.Seed + 10, 1, dim);
            var b = BenchReport.RandomVectors(o.Seed + 11, 1, dim);
            var unitA = (float[])a.Clone();
            Distance.Normalize(unitA);
            double l2 = PairNs(() => Distance.L2Squared(a, b));
            double ip = PairNs(() => Distance.InnerProduct(a, b));
            double cos = PairNs(() => Distance.CosineUnitQuery(unitA, b));
            double scalar = PairNs(() => ScalarDistance.L2Squared(a, b));
            Console.WriteLine($"dim {dim,4} pair:  L2 {l2,7:F2} ns  IP {ip,7:F2} ns  cosine {cos,7:F2} ns  " +
                $"(scalar double oracle L2 {scalar,8:F1} ns; L2 {dim * 3 / l2,5:F1} GFLOP/s)");

            int cachedRows = Math.Max(1, 256 * 1024 / (dim * sizeof(float)));
            BlockLine(dim, "L2-cache block", cachedRows, o.Seed + 12, a, unitA);
            int memRows = Math.Max(1, (int)Math.Min(int.MaxValue / dim, 256L * 1024 * 1024 / (dim * sizeof(float))));
            BlockLine(dim, "memory block", memRows, o.Seed + 13, a, unitA);
        }
    }

    private static void BlockLine(int dim, string label, int rowCount, int seed, float[] query, float[] unitQuery)
    {
        var rows = BenchReport.RandomVectors(seed, rowCount, dim);
        var scores = new float[rowCount];
        double bytes = (double)rowCount * dim * sizeof(float);
        double l2 = bytes / BlockSeconds(() => Distance.ComputeBlock(MetricType.L2, query, rows, dim, scores)) / 1e9;
        double ip = bytes / BlockSeconds(() => Distance.ComputeBlock(MetricType.IP, query, rows, dim, scores)) / 1e9;
        double cos = bytes / BlockSeconds(() => Distance.ComputeBlock(MetricType.Cosine, unitQuery, rows, dim, scores)) / 1e9;
        Console.WriteLine($"dim {dim,4} {label,-15} ({bytes / 1e6,6:F1} MB): L2 {l2,6:F1} GB/s  IP {ip,6:F1} GB/s  cosine {cos,6:F1} GB/s");
    }

    private static double PairNs(Func<float> kernel)
    {
        // Calibrate a batch size that takes about one round, then take the median of several rounds.
        float sink = 0;
        // Warm-up long enough for tiered compilation to install optimized code (call count + 100 ms delay).
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < WarmUpSeconds)
        {
            for (int i = 0; i < 1000; i++)
                sink += kernel();
        }
        int batch = 1024;
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
                sink += kernel();
            if (Stopwatch.GetElapsedTime(t0).TotalSeconds >= RoundSeconds / 4)
                break;
            batch *= 2;
        }
        var ns = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
                sink += kernel();
            ns[r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / batch;
        }
        GC.KeepAlive(sink);
        return BenchReport.Median(ns);
    }

    private static double BlockSeconds(Action block)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < WarmUpSeconds)
            block();
        var seconds = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            int calls = 0;
            long t0 = Stopwatch.GetTimestamp();
            do
            {
                block();
                calls++;
            }
            while (Stopwatch.GetElapsedTime(t0).TotalSeconds < RoundSeconds);
            seconds[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds / calls;
        }
        return BenchReport.Median(seconds);
    }
}
