using VectorAspire.Core.Storage;
using System.Text;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void ComputeMatchesPublishedCheckValues(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void ThirtyTwoZeroBytesAndOnesMatchRfc3720Vectors()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void AppendOverSplitsEqualsOneShotForEveryLengthAndSplit()
    {
        var data = new byte[100];
        new Random(7).NextBytes(data);
        for (int len = 0; len <= data.Length; len++)
        {
            uint whole = Crc32C.Compute(data.AsSpan(0, len));
            for (int split = 0; split <= len; split++)
                Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split, len - split)));
        }
    }

    [Fact]
    public void KeyHashMatchesXxh64ReferenceValues()
    {
        Assert.Equal(0xEF46DB3751D8E999UL, KeyHash.Hash64(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0x44BC2CF5AD770999UL, KeyHash.Hash64("abc"u8));
    }

    [Fact]
    public void Int64KeyHashEqualsHashOfItsLittleEndianBytes()
    {
        var rng = new Random(3);
        var bytes = new byte[8];
        for (int i = 0; i < 1000; i++)
        {
            long v = rng.NextInt64(long.MinValue, long.MaxValue);
            BitConverter.TryWriteBytes(bytes, v);
            Assert.Equal(KeyHash.Hash64(bytes), KeyHash.Hash64(v));
        }
    }
}

public sealed class Crc32CLaneTests
{
    /// <summary>Bit-at-a-time reference: the definition, independent of the hardware and lane paths.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void LongInputsAroundTheLaneThresholdMatchTheBitwiseReference()
    {
        var rng = new Random(77);
        var data = new byte[300_000];
        rng.NextBytes(data);
        int[] lengths = [4095, 4096, 4097, 4103, 4104, 4111, 12_288, 65_537, 299_999, 300_000];
        foreach (int len in lengths.Concat(Enumerable.Range(0, 20).Select(_ => rng.Next(4000, 300_000))))
            Assert.True(Reference(data.AsSpan(0, len)) == Crc32C.Compute(data.AsSpan(0, len)), $"length {len} (seed 77)");
        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 123_457)), data.AsSpan(123_457)));
    }
}
