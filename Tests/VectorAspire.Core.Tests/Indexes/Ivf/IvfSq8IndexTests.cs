using VectorAspire.Core.Indexes.Ivf;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Tests.Indexes.Ivf;

public sealed class IvfSq8IndexTests : IvfIndexContractTests
{
    protected override string IndexType => "IVF_SQ8";

    protected override double RecallFloor => 0.93;

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(128)]
    [InlineData(768)]
    public void KernelsMatchTheScalarDecode(int dim)
    {
        var rng = new Random(dim);
        int stride = Sq8Kernels.Stride(dim);
        var a = new float[stride];
        var b = new float[stride];
        for (int d = 0; d < dim; d++)
        {
            a[d] = (float)(rng.NextDouble() * 4 - 2);
            b[d] = (float)(rng.NextDouble() * 0.02);
        }
        var codes = new byte[4 * stride];
        for (int r = 0; r < 4; r++)
        {
            for (int d = 0; d < dim; d++)
                codes[(r * stride) + d] = (byte)rng.Next(256);
        }
        var l2 = new float[4];
        var ip = new float[4];
        Sq8L2.Rows4(ref a[0], ref b[0], ref codes[0], stride, ref l2[0]);
        Sq8IP.Rows4(ref a[0], ref b[0], ref codes[0], stride, ref ip[0]);
        for (int r = 0; r < 4; r++)
        {
            double el2 = 0, eip = 0;
            for (int d = 0; d < dim; d++)
            {
                double x = codes[(r * stride) + d];
                el2 += Math.Pow(a[d] - (x * b[d]), 2);
                eip += a[d] * x;
            }
            Assert.Equal(el2, l2[r], Math.Max(1e-3, el2 * 1e-5));
            Assert.Equal(eip, ip[r], Math.Max(1e-3, Math.Abs(eip) * 1e-5));
            Assert.Equal(l2[r], Sq8L2.Row(ref a[0], ref b[0], ref codes[r * stride], stride), 1e-3f);
            Assert.Equal(ip[r], Sq8IP.Row(ref a[0], ref b[0], ref codes[r * stride], stride), 1e-3f);
        }
    }

    [Fact]
    public void ScoresApproximateTheExactScores()
    {
        var index = Index(MetricType.L2);
        var (ids, scores) = IvfTestData.Search(index, IvfTestData.Query(0), 10, 16);
        for (int i = 0; i < ids.Length; i++)
        {
            float exact = Distance.L2Squared(IvfTestData.Query(0), IvfTestData.Rows.AsSpan((int)ids[i] * IvfTestData.Dim, IvfTestData.Dim));
            Assert.True(Math.Abs(exact - scores[i]) < 0.02 * exact + 0.05, $"row {ids[i]}: SQ8 {scores[i]}, exact {exact}");
        }
    }
}
