using VectorAspire.Core.Columns;

namespace VectorAspire.Core.Tests;

public sealed class BitsetTests
{
    [Fact]
    public void NotKeepsBitsPastLengthClear()
    {
        var b = new Bitset(70);
        b.Set(3);
        b.Not();
        Assert.Equal(69, b.PopCount());
        Assert.False(b.Get(3));
    }

    [Fact]
    public void NextSetBitWalksAcrossWords()
    {
        var b = new Bitset(200);
        b.Set(5);
        b.Set(64);
        b.Set(199);
        Assert.Equal(5, b.NextSetBit(0));
        Assert.Equal(64, b.NextSetBit(6));
        Assert.Equal(199, b.NextSetBit(65));
        Assert.Equal(-1, b.NextSetBit(200));
    }
}
