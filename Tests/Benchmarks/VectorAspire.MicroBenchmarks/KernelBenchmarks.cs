using BenchmarkDotNet.Attributes;
using VectorAspire.Core.Vectors;

namespace VectorAspire.MicroBenchmarks;

/// <summary>Distance kernels: the SIMD paths against the scalar oracle, one pair and one query against a block.</summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _rows = [];
    private float[] _scores = [];

    [Params(128, 768)]
    public int Dim { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = Enumerable.Range(0, Dim).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, Dim).Select(_ => (float)rng.NextDouble()).ToArray();
        _rows = Enumerable.Range(0, Dim * 1024).Select(_ => (float)rng.NextDouble()).ToArray();
        _scores = new float[1024];
        Distance.Normalize(_a);
    }

    [Benchmark(Baseline = true)]
    public float L2ScalarOracle() => ScalarDistance.L2Squared(_a, _b);

    [Benchmark]
    public float L2Simd() => Distance.L2Squared(_a, _b);

    [Benchmark]
    public float InnerProductSimd() => Distance.InnerProduct(_a, _b);

    [Benchmark]
    public float CosineSimd() => Distance.CosineUnitQuery(_a, _b);

    [Benchmark(OperationsPerInvoke = 1024)]
    public void L2QueryVsBlockOf1024() => Distance.ComputeBlock(MetricType.L2, _a, _rows, Dim, _scores);
}

/// <summary>Top-k selection over a stream of scores.</summary>
[MemoryDiagnoser]
public class TopKBenchmarks
{
    private readonly TopKCollector _collector = new(10, MetricType.L2);
    private float[] _scores = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        _scores = Enumerable.Range(0, 100_000).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Benchmark(OperationsPerInvoke = 100_000)]
    public int Push100kScoresKeep10()
    {
        _collector.Reset();
        for (int i = 0; i < _scores.Length; i++)
            _collector.Push(i, _scores[i]);
        return _collector.Count;
    }
}
