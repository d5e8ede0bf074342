using System.Runtime.InteropServices;

namespace VectorAspire.Core.Indexes.Hnsw;

/// <summary>
/// One 64-byte-aligned, zeroed native allocation (the level-0 node block). Native so that a segment's block may
/// exceed a managed array's 2 GiB and never moves, which lets the search loops use raw pointers without pinning.
/// Freed by the finalizer: indexes are immutable values shared by concurrent searches and have no Dispose point.
/// </summary>
internal sealed unsafe class NativeBlock
{
    public NativeBlock(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Length = bytes;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 64), 64);
        NativeMemory.Clear(Pointer, (nuint)Math.Max(bytes, 64));
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

    public Span<byte> Slice(long offset, int length) => new(Pointer + offset, length);
}
