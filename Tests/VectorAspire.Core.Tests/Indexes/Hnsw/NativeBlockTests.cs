using VectorAspire.Core.Indexes.Hnsw;

namespace VectorAspire.Core.Tests.Indexes.Hnsw;

public sealed class NativeBlockTests
{
    [Fact]
    public unsafe void SmallBlocksAreZeroedAndCacheLineAligned()
    {
        var block = new NativeBlock(1000);
        Assert.Equal(0, (long)block.Pointer % 64);
        Assert.False(block.HugePages);
        Assert.True(new ReadOnlySpan<byte>(block.Pointer, 1000).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public unsafe void LargeBlocksAreHugePageAlignedAndAdvisedWhereTheKernelAllowsIt()
    {
        const long bytes = (5 << 20) + 123;
        var block = new NativeBlock(bytes);
        Assert.True(new ReadOnlySpan<byte>(block.Pointer + bytes - 4096, 4096).IndexOfAnyExcept((byte)0) < 0);
        block.Pointer[bytes - 1] = 7; // the whole length is usable
        if (!OperatingSystem.IsLinux())
            return;
        Assert.Equal(0, (long)block.Pointer % (2 << 20));
        // A kernel built with transparent huge pages accepts the advice whatever its current mode.
        if (Directory.Exists("/sys/kernel/mm/transparent_hugepage"))
            Assert.True(block.HugePages, "madvise(MADV_HUGEPAGE) was refused");
    }
}
