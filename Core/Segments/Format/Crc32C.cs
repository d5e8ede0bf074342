using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF), the checksum of every
/// segment file. Uses the hardware CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// </summary>
public static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a finished checksum: <c>Append(Compute(a), b) == Compute(a ++ b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        // Four independent 8-byte loads per iteration let the JIT keep the loop tight; the instruction chain itself is
        // serial (each step depends on the previous state).
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        int i = 0;
        for (; i + 4 <= words.Length; i += 4)
        {
            state = BitOperations.Crc32C(state, LittleEndian(words[i]));
            state = BitOperations.Crc32C(state, LittleEndian(words[i + 1]));
            state = BitOperations.Crc32C(state, LittleEndian(words[i + 2]));
            state = BitOperations.Crc32C(state, LittleEndian(words[i + 3]));
        }
        for (; i < words.Length; i++)
            state = BitOperations.Crc32C(state, LittleEndian(words[i]));
        foreach (byte b in data[(words.Length * sizeof(ulong))..])
            state = BitOperations.Crc32C(state, b);
        return state;
    }

    private static ulong LittleEndian(ulong word) =>
        BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
}
