using System.Runtime.Intrinsics;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Vectors;

public sealed class DistanceTests
{
    private const int Seed = 20261122;

    private delegate float RefKernel(ref float a, ref float b, int n);

    // Every width that this machine can run, plus the scalar fallback; each is tested directly so a path the
    // dispatcher does not pick here (e.g. 256-bit on an AVX-512 box) is still covered.
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string> { "dispatch", "scalar" };
        if (Vector512.IsHardwareAccelerated)
            data.Add("512");
        if (Vector256.IsHardwareAccelerated)
            data.Add("256");
        if (Vector128.IsHardwareAccelerated)
            data.Add("128");
        return data;
    }

    private static (int MinDim, RefKernel L2, RefKernel IP, RefKernel Cos) Kernels(string path) => path switch
    {
        "dispatch" => (1, Distance.L2Squared, Distance.InnerProduct, Distance.CosineUnitQuery),
        "scalar" => (1, Distance.L2SquaredScalar, Distance.InnerProductScalar, Distance.CosineUnitQueryScalar),
        "512" => (16, Distance.L2Squared512, Distance.InnerProduct512, Distance.CosineUnitQuery512),
        "256" => (8, Distance.L2Squared256, Distance.InnerProduct256, Distance.CosineUnitQuery256),
        "128" => (4, Distance.L2Squared128, Distance.InnerProduct128, Distance.CosineUnitQuery128),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void KernelsMatchScalarOracleForEveryDim(string path)
    {
        var (minDim, l2, ip, cos) = Kernels(path);
        var rng = new Random(Seed);
        foreach (int dim in VectorTestData.Dims)
        {
            if (dim < minDim)
                continue;
            for (int rep = 0; rep < 4; rep++)
            {
                // Surround each vector with NaN so a kernel that reads or counts lanes outside [0, dim) fails.
                var a = Padded(rng, dim, out int offA);
                var b = Padded(rng, dim, out int offB);
                var sa = a.AsSpan(offA, dim);
                var sb = b.AsSpan(offB, dim);
                var ctx = $"seed {Seed}, path {path}, dim {dim}, rep {rep}";

                float magnitude = 0;
                for (int i = 0; i < dim; i++)
                    magnitude += Math.Abs(sa[i] * sb[i]);

                float expL2 = ScalarDistance.L2Squared(sa, sb);
                float gotL2 = l2(ref a[offA], ref b[offB], dim);
                Assert.True(Math.Abs(gotL2 - expL2) <= (1e-5f * expL2) + 1e-6f, $"{ctx}: L2 {gotL2} vs {expL2}");

                float expIp = ScalarDistance.InnerProduct(sa, sb);
                float gotIp = ip(ref a[offA], ref b[offB], dim);
                Assert.True(Math.Abs(gotIp - expIp) <= (1e-5f * magnitude) + 1e-6f, $"{ctx}: IP {gotIp} vs {expIp}");

                var unit = sa.ToArray();
                Distance.Normalize(unit);
                float expCos = ScalarDistance.Cosine(sa, sb);
                float gotCos = cos(ref unit[0], ref b[offB], dim);
                Assert.True(Math.Abs(gotCos - expCos) <= 2e-5f, $"{ctx}: cosine {gotCos} vs {expCos}");
            }
        }
    }

    [Fact]
    public void PublicSpanApiMatchesOracle()
    {
        var rng = new Random(Seed + 1);
        foreach (int dim in VectorTestData.Dims)
        {
            var a = VectorTestData.RandomVectors(rng, 1, dim);
            var b = VectorTestData.RandomVectors(rng, 1, dim);
            var ctx = $"seed {Seed + 1}, dim {dim}";
            float expL2 = ScalarDistance.L2Squared(a, b);
            Assert.True(Math.Abs(Distance.L2Squared(a, b) - expL2) <= (1e-5f * expL2) + 1e-6f, ctx);
            float expCos = ScalarDistance.Cosine(a, b);
            Assert.True(Math.Abs(Distance.Cosine(a, b) - expCos) <= 2e-5f, $"{ctx}: cosine");
            Assert.True(Math.Abs(ScalarDistance.Score(MetricType.IP, a, b) - Distance.Score(MetricType.IP, a, b)) <= 1e-4f, $"{ctx}: IP");
        }
    }

    [Fact]
    public void CosineOfZeroVectorIsZero()
    {
        var zero = new float[37];
        var x = Enumerable.Range(1, 37).Select(i => (float)i).ToArray();
        var unit = (float[])x.Clone();
        Distance.Normalize(unit);
        Assert.Equal(0f, Distance.CosineUnitQuery(unit, zero));
        Assert.Equal(0f, Distance.Cosine(zero, x));
        Assert.Equal(0f, Distance.Cosine(x, zero));
        Assert.Equal(0f, ScalarDistance.Cosine(zero, x));
        Assert.Equal(0f, Distance.Normalize(zero));
        Assert.All(zero, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void NormalizeProducesUnitVectorsAndReturnsTheNorm()
    {
        var rng = new Random(Seed + 2);
        foreach (int dim in VectorTestData.Dims)
        {
            var v = VectorTestData.RandomVectors(rng, 1, dim);
            float expectedNorm = MathF.Sqrt(ScalarDistance.InnerProduct(v, v));
            float norm = Distance.Normalize(v);
            Assert.True(Math.Abs(norm - expectedNorm) <= 1e-5f * expectedNorm, $"seed {Seed + 2}, dim {dim}: norm {norm} vs {expectedNorm}");
            float len = ScalarDistance.InnerProduct(v, v);
            Assert.True(Math.Abs(len - 1f) <= 1e-5f, $"seed {Seed + 2}, dim {dim}: |v|² = {len}");
        }
    }

    [Fact]
    public void MismatchedLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => Distance.L2Squared(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Distance.InnerProduct(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Distance.CosineUnitQuery(new float[3], new float[4]));
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.Cosine)]
    public void BlockKernelEqualsPerRowKernel(MetricType metric)
    {
        var rng = new Random(Seed + 3);
        foreach (int dim in new[] { 1, 3, 16, 33, 128, 129, 768 })
        {
            const int rows = 150;
            var data = VectorTestData.RandomVectors(rng, rows, dim);
            var q = VectorTestData.RandomVectors(rng, 1, dim);
            if (metric == MetricType.Cosine)
                Distance.Normalize(q);
            var scores = new float[rows];
            Distance.ComputeBlock(metric, q, data, dim, scores);
            for (int i = 0; i < rows; i++)
            {
                float expected = Distance.Score(metric, q, data.AsSpan(i * dim, dim));
                Assert.True(expected == scores[i], $"seed {Seed + 3}, {metric}, dim {dim}, row {i}: {scores[i]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.Cosine)]
    public void ManyQueriesBlockKernelEqualsOneQueryAtATime(MetricType metric)
    {
        var rng = new Random(Seed + 4);
        foreach (int dim in new[] { 5, 16, 17, 31, 48, 63, 64, 70, 128, 129, 1000 })
        {
            int rows = Distance.RowsPerTile(dim) * 2 + 17; // several tiles and a partial one
            const int nq = 7;
            var data = VectorTestData.RandomVectors(rng, rows, dim);
            var queries = VectorTestData.RandomVectors(rng, nq, dim);
            if (metric == MetricType.Cosine)
            {
                for (int j = 0; j < nq; j++)
                    Distance.Normalize(queries.AsSpan(j * dim, dim));
            }
            var many = new float[nq * rows];
            Distance.ComputeBlockMany(metric, queries, data, dim, rows, many);
            var one = new float[rows];
            for (int j = 0; j < nq; j++)
            {
                Distance.ComputeBlock(metric, queries.AsSpan(j * dim, dim), data, dim, one);
                Assert.True(one.AsSpan().SequenceEqual(many.AsSpan(j * rows, rows)), $"seed {Seed + 4}, {metric}, dim {dim}, query {j}");
            }
        }
    }

    private static float[] Padded(Random rng, int dim, out int offset)
    {
        offset = rng.Next(0, 17);
        var a = new float[offset + dim + 17];
        a.AsSpan().Fill(float.NaN);
        for (int i = 0; i < dim; i++)
            a[offset + i] = (float)((rng.NextDouble() * 2) - 1);
        return a;
    }

    [Fact]
    public void ReportsTheChosenInstructionSet()
    {
        Assert.False(string.IsNullOrEmpty(Distance.InstructionSet));
        if (Vector512.IsHardwareAccelerated)
            Assert.StartsWith("Vector512", Distance.InstructionSet, StringComparison.Ordinal);
    }
}
