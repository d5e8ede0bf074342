using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace VectorAspire.Core.Storage;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF), the checksum of every
/// segment file. Uses the hardware CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// </summary>
public static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78;

    // Below this, three lanes do not pay for combining them (two GF(2) multiplies plus computing x^(8n)).
    private const int LaneThreshold = 4096;

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a finished checksum: <c>Append(Compute(a), b) == Compute(a ++ b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (data.Length >= LaneThreshold)
        {
            // The CRC32 instruction has a latency of ~3 cycles and a throughput of 1 per cycle, so one dependency
            // chain uses a third of it. Three lanes run independently and are joined by linearity:
            // U(s, A ++ B) = U(s, A) * x^(8|B|) mod P  xor  U(0, B).
            int laneWords = data.Length / (3 * sizeof(ulong));
            int laneBytes = laneWords * sizeof(ulong);
            var a = MemoryMarshal.Cast<byte, ulong>(data[..laneBytes]);
            var b = MemoryMarshal.Cast<byte, ulong>(data.Slice(laneBytes, laneBytes));
            var c = MemoryMarshal.Cast<byte, ulong>(data.Slice(2 * laneBytes, laneBytes));
            uint sa = state, sb = 0, sc = 0;
            for (int i = 0; i < a.Length; i++)
            {
                sa = BitOperations.Crc32C(sa, LittleEndian(a[i]));
                sb = BitOperations.Crc32C(sb, LittleEndian(b[i]));
                sc = BitOperations.Crc32C(sc, LittleEndian(c[i]));
            }
            uint shift = XPow8N(laneBytes);
            state = MultiplyModP(shift, sa) ^ sb;
            state = MultiplyModP(shift, state) ^ sc;
            data = data[(3 * laneBytes)..];
        }
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong w in words)
            state = BitOperations.Crc32C(state, LittleEndian(w));
        foreach (byte b in data[(words.Length * sizeof(ulong))..])
            state = BitOperations.Crc32C(state, b);
        return state;
    }

    /// <summary>a * b modulo the CRC polynomial, in the reflected bit order (bit 31 is x^0).</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        uint product = 0;
        for (uint m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0)
                    break;
            }
            b = (b & 1) != 0 ? (b >> 1) ^ ReflectedPolynomial : b >> 1;
        }
        return product;
    }

    /// <summary>x^(8n) modulo the polynomial: appending n zero bytes multiplies the register by this.</summary>
    private static uint XPow8N(int n)
    {
        uint result = 1u << 31; // x^0
        uint square = 1u << 23; // x^8
        while (n != 0)
        {
            if ((n & 1) != 0)
                result = MultiplyModP(square, result);
            square = MultiplyModP(square, square);
            n >>= 1;
        }
        return result;
    }

    private static ulong LittleEndian(ulong word) =>
        BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
}
