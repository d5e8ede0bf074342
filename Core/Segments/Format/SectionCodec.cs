using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VectorAspire.Core.Segments.Format;

/// <summary>Bulk moves between typed arrays and section bytes. Sections hold raw little-endian arrays.</summary>
internal static class SectionCodec
{
    public static void RequireLittleEndianHost()
    {
        // Sections are raw little-endian arrays copied with memcpy; a big-endian host would need a swapping path.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("segment files are read and written by bulk copy on little-endian hosts only");
    }

    public static long ByteLength<T>(long count) where T : unmanaged => checked(count * Unsafe.SizeOf<T>());

    public static void Write<T>(ReadOnlySpan<T> values, Span<byte> section) where T : unmanaged =>
        MemoryMarshal.AsBytes(values).CopyTo(section);

    /// <summary>Copies a section into a new array of exactly <paramref name="count"/> elements.</summary>
    public static T[] ReadArray<T>(SectionFileReader file, ReadOnlyMemory<byte> section, long count, string name)
        where T : unmanaged
    {
        // Compared by division so a hostile count (e.g. rows x dim near 2^63) cannot overflow.
        int size = Unsafe.SizeOf<T>();
        if (count < 0 || section.Length % size != 0 || section.Length / size != count)
            throw file.Fail($"{name} section is {section.Length} bytes, expected {count} x {size}");
        var array = GC.AllocateUninitializedArray<T>((int)count);
        section.Span.CopyTo(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }

    /// <summary>Reads validity words for <paramref name="rows"/> rows and checks bits past the last row are clear.</summary>
    public static ulong[] ReadValidity(SectionFileReader file, ReadOnlyMemory<byte> section, int rows)
    {
        var words = ReadArray<ulong>(file, section, (rows + 63L) >> 6, "validity");
        int rem = rows & 63;
        if (rem != 0 && (words[^1] >> rem) != 0)
            throw file.Fail("validity bitmap has bits set past the last row");
        return words;
    }

    /// <summary>Writes the validity words of the first <paramref name="rows"/> rows with bits past the last row cleared.</summary>
    public static void WriteValidity(ReadOnlySpan<ulong> validity, int rows, Span<byte> section)
    {
        int words = (int)((rows + 63L) >> 6);
        var target = MemoryMarshal.Cast<byte, ulong>(section);
        validity[..words].CopyTo(target);
        int rem = rows & 63;
        if (rem != 0)
            target[words - 1] &= (1UL << rem) - 1;
    }

    /// <summary>Checks var-length offsets: start at 0, never decrease, end at the data length.</summary>
    public static void ValidateOffsets(SectionFileReader file, ReadOnlySpan<int> offsets, int dataLength)
    {
        if (offsets[0] != 0)
            throw file.Fail($"first offset is {offsets[0]}, expected 0");
        for (int i = 1; i < offsets.Length; i++)
        {
            if (offsets[i] < offsets[i - 1])
                throw file.Fail($"offset {i} ({offsets[i]}) is below offset {i - 1} ({offsets[i - 1]})");
        }
        if (offsets[^1] != dataLength)
            throw file.Fail($"last offset is {offsets[^1]}, data section holds {dataLength} bytes");
    }
}
