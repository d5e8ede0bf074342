using System.Runtime.InteropServices;

namespace VectorAspire.Core.Indexes.Hnsw;

/// <summary>
/// One 64-byte-aligned, zeroed native allocation (the level-0 node block). Native so that a segment's block may
/// exceed a managed array's 2 GiB and never moves, which lets the search loops use raw pointers without pinning.
/// Freed by the finalizer: indexes are immutable values shared by concurrent searches and have no Dispose point.
/// <para>On Linux a block of at least one huge page is 2 MiB-aligned and advised MADV_HUGEPAGE before it is first
/// touched: a graph walk reads nodes at random across hundreds of MB, and with 4 KiB pages nearly every node visit
/// is also a TLB miss (transparent huge pages are usually in "madvise" mode, so nothing is huge without the hint).</para>
/// </summary>
internal sealed unsafe partial class NativeBlock
{
    private const long HugePageBytes = 2 << 20;
    private const int MadvHugePage = 14;

    public NativeBlock(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Length = bytes;
        nuint size = (nuint)Math.Max(bytes, 64);
        bool huge = bytes >= HugePageBytes && OperatingSystem.IsLinux();
        Pointer = (byte*)NativeMemory.AlignedAlloc(size, huge ? (nuint)HugePageBytes : 64);
        if (huge)
        {
            // Advisory only: when the kernel refuses (THP disabled, old kernel) the block keeps 4 KiB pages and works the same.
            HugePages = Madvise(Pointer, size, MadvHugePage) == 0;
        }
        NativeMemory.Clear(Pointer, size);
        if (bytes > 0)
            GC.AddMemoryPressure(bytes);
    }

    ~NativeBlock()
    {
        NativeMemory.AlignedFree(Pointer);
        if (Length > 0)
            GC.RemoveMemoryPressure(Length);
    }

    public byte* Pointer { get; }

    public long Length { get; }

    /// <summary>True when the kernel accepted the huge-page hint for this block.</summary>
    public bool HugePages { get; }

    public Span<byte> Slice(long offset, int length) => new(Pointer + offset, length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
