using System.Text;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

public sealed class PkBloomFilterTests
{
    private const int Keys = 100_000;

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.01)]
    public void Int64KeysHaveNoFalseNegativesAndNearTargetFalsePositives(double target)
    {
        var rng = new Random(2024);
        var filter = new PkBloomFilter(DataType.Int64, Keys, target);
        var present = new HashSet<long>();
        while (present.Count < Keys)
            present.Add(rng.NextInt64());
        foreach (long k in present)
            filter.Add(k);
        foreach (long k in present)
            Assert.True(filter.MightContain(k));

        int probes = 0, positives = 0;
        while (probes < 1_000_000)
        {
            long k = rng.NextInt64();
            if (present.Contains(k))
                continue;
            probes++;
            if (filter.MightContain(k))
                positives++;
        }
        double rate = positives / (double)probes;
        Assert.InRange(rate, target * 0.5, target * 1.5);
    }

    [Fact]
    public void SequentialInt64KeysStillSpreadEvenly()
    {
        var filter = new PkBloomFilter(DataType.Int64, Keys);
        for (long k = 0; k < Keys; k++)
            filter.Add(k);
        for (long k = 0; k < Keys; k++)
            Assert.True(filter.MightContain(k));
        int positives = 0;
        for (long k = Keys; k < Keys + 1_000_000; k++)
        {
            if (filter.MightContain(k))
                positives++;
        }
        Assert.InRange(positives / 1e6, 0.0005, 0.0015);
    }

    [Fact]
    public void VarCharKeysHaveNoFalseNegativesAndNearTargetFalsePositives()
    {
        var filter = new PkBloomFilter(DataType.VarChar, Keys);
        for (int i = 0; i < Keys; i++)
            filter.Add(Encoding.UTF8.GetBytes($"user-{i}"));
        for (int i = 0; i < Keys; i++)
            Assert.True(filter.MightContain(Encoding.UTF8.GetBytes($"user-{i}")));
        int positives = 0;
        const int Probes = 500_000;
        for (int i = 0; i < Probes; i++)
        {
            if (filter.MightContain(Encoding.UTF8.GetBytes($"other-{i}")))
                positives++;
        }
        Assert.InRange(positives / (double)Probes, 0.0005, 0.0015);
        Assert.True(filter.MightContain(Encoding.UTF8.GetBytes("user-0")));
    }

    [Fact]
    public void SerializeRoundTripAnswersTheSame()
    {
        var filter = new PkBloomFilter(DataType.Int64, 5000);
        for (long k = 0; k < 5000; k++)
            filter.Add(k * 31);
        var copy = PkBloomFilter.Deserialize(filter.Serialize());
        Assert.Equal(filter.BitCount, copy.BitCount);
        Assert.Equal(filter.HashCount, copy.HashCount);
        Assert.Equal(5000, copy.Count);
        for (long k = -10_000; k < 200_000; k++)
            Assert.Equal(filter.MightContain(k), copy.MightContain(k));
    }

    [Fact]
    public void EmptyFilterContainsNothing()
    {
        var filter = PkBloomFilter.Deserialize(new PkBloomFilter(DataType.VarChar, 0).Serialize());
        Assert.False(filter.MightContain("x"u8));
        Assert.False(filter.MightContain(""u8));
    }

    [Fact]
    public void WrongKeyTypeIsAProgrammingError()
    {
        var filter = new PkBloomFilter(DataType.VarChar, 10);
        Assert.Throws<InvalidOperationException>(() => filter.MightContain(5L));
        Assert.Throws<ArgumentException>(() => new PkBloomFilter(DataType.Int32, 10));
    }

    [Fact]
    public void CorruptedOrTruncatedFilterIsRejected()
    {
        var filter = new PkBloomFilter(DataType.Int64, 300);
        for (long k = 0; k < 300; k++)
            filter.Add(k);
        var bytes = filter.Serialize();
        Corruption.EveryFlipIsDetected(bytes, b => PkBloomFilter.Deserialize(b));
        Corruption.EveryTruncationIsDetected(bytes, b => PkBloomFilter.Deserialize(b));
    }
}

public sealed class PkBloomFilterAllocationTests
{
    [Fact]
    public void LookupsAllocateNothing()
    {
        var ints = new PkBloomFilter(DataType.Int64, 1000);
        var strings = new PkBloomFilter(DataType.VarChar, 1000);
        ints.Add(1);
        strings.Add("a"u8);
        bool any = ints.MightContain(2) | strings.MightContain("b"u8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long k = 0; k < 10_000; k++)
        {
            any |= ints.MightContain(k);
            any |= strings.MightContain("some-key"u8);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.True(any);
    }
}
