using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VectorAspire.Core.Storage;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every persisted VectorAspire file. Uses <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// (the SSE4.2 / ARMv8 CRC instruction when available) over 8-byte steps.
/// </summary>
public static class Crc32C
{
    /// <summary>CRC-32C of <paramref name="data"/>; CRC-32C("123456789") is 0xE3069283.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a checksum: <c>Append(Compute(a), b) == Compute(a ++ b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        ref byte start = ref MemoryMarshal.GetReference(data);
        int length = data.Length;
        int i = 0;
        for (; i <= length - 8; i += 8)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            if (!BitConverter.IsLittleEndian)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            state = BitOperations.Crc32C(state, word);
        }

        for (; i < length; i++)
        {
            state = BitOperations.Crc32C(state, Unsafe.Add(ref start, i));
        }

        return ~state;
    }
}
