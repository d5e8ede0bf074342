using System.Diagnostics;
using System.Runtime;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Benchmarks;

internal static class BenchReport
{
    public static void PrintEnvironment(BenchOptions o)
    {
        Console.WriteLine($"# VectorAspire.Benchmarks {o.Command}: {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
        Console.WriteLine($"# runtime {Environment.Version}, {Environment.ProcessorCount} cpus, kernels {Distance.InstructionSet}, " +
            $"gc {(GCSettings.IsServerGC ? "server" : "workstation")}, optimized build {!IsDebugBuild()}, loadavg {LoadAverage()}");
    }

    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "NA";
        }
    }

    public static double Percentile(double[] sorted, double p)
    {
        // Nearest-rank: the smallest value with at least p of the samples at or below it.
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        Array.Sort(copy);
        return Percentile(copy, 0.5);
    }

    public static float[] RandomVectors(int seed, int count, int dim)
    {
        var rng = new Random(seed);
        var v = new float[(long)count * dim];
        for (long i = 0; i < v.Length; i++)
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        return v;
    }

    public static TimeSpan ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static bool IsDebugBuild() =>
        typeof(BenchReport).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is [DebuggableAttribute { IsJITOptimizerDisabled: true }];
}
