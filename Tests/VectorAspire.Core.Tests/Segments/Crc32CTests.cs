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
