using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VectorAspire.Core.Segments.Format;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Ivf;

/// <summary>
/// The serialized form shared by IVF_FLAT, IVF_SQ8 and IVF_PQ. Little-endian throughout.
/// <code>
/// header (64 bytes)
///   0  u8[8]  magic "VAIVFIDX"
///   8  u16    version (1)
///  10  u8     kind: 1 IVF_FLAT, 2 IVF_SQ8, 3 IVF_PQ
///  11  u8     metric: 0 L2, 1 IP, 2 COSINE
///  12  i32    dim
///  16  i32    count (rows)
///  20  i32    nlist (lists actually built; ≤ the requested nlist when there are fewer rows)
///  24  i32    p0: IVF_SQ8 code stride in bytes; IVF_PQ m; else 0
///  28  i32    p1: IVF_PQ nbits; else 0
///  32  i32    p2: IVF_PQ refine factor; else 0
///  36  i32    reserved, 0
///  40  i64    total file length in bytes, trailer included
///  48  u8[16] reserved, 0
/// sections, each starting at a multiple of 64 bytes and zero-padded to the next one:
///   centroids      f32[nlist × dim]   (unit length for IP and COSINE: spherical k-means)
///   list offsets   i32[nlist + 1]     list l holds positions offsets[l] .. offsets[l+1]-1
///   row ids        i32[count]         segment row of each position, ascending within a list
///   then per kind:
///     IVF_FLAT  vectors f32[count × dim] in position order (normalised for COSINE)
///     IVF_SQ8   min f32[dim], scale f32[dim], codes u8[count × stride] (stride = dim rounded up to 16, zero padding)
///     IVF_PQ    codebooks f32[m × 2^nbits × dim/m], codes u8[count × m × (nbits ≤ 8 ? 1 : 2)] (u16 little-endian)
/// trailer: u32 CRC-32C of every byte before it
/// </code>
/// Sections are aligned so a reader can copy them in bulk into typed arrays.
/// </summary>
internal static class IvfFile
{
    public const int HeaderSize = 64;
    public const ushort Version = 1;
    private const int Alignment = 64;
    private static ReadOnlySpan<byte> Magic => "VAIVFIDX"u8;

    public static long Align(long n) => (n + Alignment - 1) & ~(long)(Alignment - 1);

    public static byte KindCode(string indexType) => indexType switch
    {
        "IVF_FLAT" => 1,
        "IVF_SQ8" => 2,
        "IVF_PQ" => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(indexType), indexType, "not an IVF index type"),
    };

    public readonly record struct Header(string IndexType, MetricType Metric, int Dim, int Count, int Nlist, int P0, int P1, int P2);

    public sealed class Writer
    {
        private readonly byte[] _buffer;
        private int _position;

        /// <param name="sectionBytes">byte length of every section, in order.</param>
        public Writer(in Header header, ReadOnlySpan<long> sectionBytes)
        {
            long total = HeaderSize;
            foreach (long s in sectionBytes)
                total += Align(s);
            total += sizeof(uint);
            if (total > Array.MaxLength)
                throw new InvalidOperationException($"index of {total} bytes is too large to serialize into one array");
            _buffer = new byte[total];
            var h = _buffer.AsSpan(0, HeaderSize);
            Magic.CopyTo(h);
            BinaryPrimitives.WriteUInt16LittleEndian(h[8..], Version);
            h[10] = KindCode(header.IndexType);
            h[11] = (byte)header.Metric;
            BinaryPrimitives.WriteInt32LittleEndian(h[12..], header.Dim);
            BinaryPrimitives.WriteInt32LittleEndian(h[16..], header.Count);
            BinaryPrimitives.WriteInt32LittleEndian(h[20..], header.Nlist);
            BinaryPrimitives.WriteInt32LittleEndian(h[24..], header.P0);
            BinaryPrimitives.WriteInt32LittleEndian(h[28..], header.P1);
            BinaryPrimitives.WriteInt32LittleEndian(h[32..], header.P2);
            BinaryPrimitives.WriteInt64LittleEndian(h[40..], total);
            _position = HeaderSize;
        }

        public void Floats(ReadOnlySpan<float> values) => Ints(MemoryMarshal.Cast<float, int>(values));

        public void Ints(ReadOnlySpan<int> values)
        {
            var dst = MemoryMarshal.Cast<byte, int>(_buffer.AsSpan(_position, values.Length * sizeof(int)));
            if (BitConverter.IsLittleEndian)
                values.CopyTo(dst);
            else
                BinaryPrimitives.ReverseEndianness(values, dst);
            Advance(values.Length * sizeof(int));
        }

        public void Shorts(ReadOnlySpan<ushort> values)
        {
            var dst = MemoryMarshal.Cast<byte, ushort>(_buffer.AsSpan(_position, values.Length * sizeof(ushort)));
            if (BitConverter.IsLittleEndian)
                values.CopyTo(dst);
            else
                BinaryPrimitives.ReverseEndianness(values, dst);
            Advance(values.Length * sizeof(ushort));
        }

        public void Bytes(ReadOnlySpan<byte> values)
        {
            values.CopyTo(_buffer.AsSpan(_position));
            Advance(values.Length);
        }

        public byte[] Finish()
        {
            if (_position != _buffer.Length - sizeof(uint))
                throw new InvalidOperationException($"serializer wrote {_position} bytes, expected {_buffer.Length - sizeof(uint)}");
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_position), Crc32C.Compute(_buffer.AsSpan(0, _position)));
            return _buffer;
        }

        private void Advance(long bytes) => _position = (int)Align(_position + bytes);
    }

    public ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly string _what;
        private int _position;

        /// <summary>Checks length, magic, version, kind, checksum and the header's own consistency.</summary>
        public Reader(ReadOnlySpan<byte> data, string indexType, out Header header)
        {
            _what = indexType + " index";
            _data = data;
            if (data.Length < HeaderSize + sizeof(uint))
                throw Corrupt($"{data.Length} bytes is shorter than the header");
            if (!data[..8].SequenceEqual(Magic))
                throw Corrupt("bad magic");
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
            if (version != Version)
                throw Corrupt($"unsupported version {version} (this build reads version {Version})");
            if (data[10] != KindCode(indexType))
                throw Corrupt($"the file holds index kind {data[10]}, not {indexType}");
            long total = BinaryPrimitives.ReadInt64LittleEndian(data[40..]);
            if (total != data.Length)
                throw Corrupt($"header says {total} bytes, file has {data.Length}");
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(data[^sizeof(uint)..]);
            if (stored != Crc32C.Compute(data[..^sizeof(uint)]))
                throw Corrupt("checksum mismatch");
            byte metric = data[11];
            if (metric > (byte)MetricType.Cosine)
                throw Corrupt($"unknown metric code {metric}");
            if (BinaryPrimitives.ReadInt32LittleEndian(data[36..]) != 0 || data.Slice(48, 16).IndexOfAnyExcept((byte)0) >= 0)
                throw Corrupt("reserved header bytes are not zero");
            header = new Header(indexType, (MetricType)metric,
                BinaryPrimitives.ReadInt32LittleEndian(data[12..]),
                BinaryPrimitives.ReadInt32LittleEndian(data[16..]),
                BinaryPrimitives.ReadInt32LittleEndian(data[20..]),
                BinaryPrimitives.ReadInt32LittleEndian(data[24..]),
                BinaryPrimitives.ReadInt32LittleEndian(data[28..]),
                BinaryPrimitives.ReadInt32LittleEndian(data[32..]));
            if (header.Dim < 1 || header.Count < 0 || header.Nlist < 0 || (header.Count > 0 && header.Nlist < 1) || header.Nlist > Math.Max(header.Count, 0))
                throw Corrupt($"inconsistent header: dim {header.Dim}, count {header.Count}, nlist {header.Nlist}");
            _position = HeaderSize;
        }

        public float[] Floats(long count) => MemoryMarshal.Cast<int, float>(Ints(count)).ToArray();

        public int[] Ints(long count)
        {
            var src = Take(count, sizeof(int));
            var result = new int[count];
            var s = MemoryMarshal.Cast<byte, int>(src);
            if (BitConverter.IsLittleEndian)
                s.CopyTo(result);
            else
                BinaryPrimitives.ReverseEndianness(s, result);
            return result;
        }

        public ushort[] Shorts(long count)
        {
            var s = MemoryMarshal.Cast<byte, ushort>(Take(count, sizeof(ushort)));
            var result = new ushort[count];
            if (BitConverter.IsLittleEndian)
                s.CopyTo(result);
            else
                BinaryPrimitives.ReverseEndianness(s, result);
            return result;
        }

        public byte[] Bytes(long count) => Take(count, 1).ToArray();

        /// <summary>Every byte up to the trailer must have been consumed.</summary>
        public readonly void End()
        {
            if (_position != _data.Length - sizeof(uint))
                throw Corrupt($"{_data.Length - sizeof(uint) - _position} unexpected bytes after the last section");
        }

        public readonly SegmentFormatException Corrupt(string problem) => new($"{_what}: {problem}");

        private ReadOnlySpan<byte> Take(long count, int elementSize)
        {
            long bytes = count * elementSize;
            if (count < 0 || bytes > int.MaxValue || _position + Align(bytes) > _data.Length - sizeof(uint))
                throw Corrupt($"section of {count} x {elementSize} bytes at offset {_position} runs past the end");
            var span = _data.Slice(_position, (int)bytes);
            var padding = _data.Slice(_position + (int)bytes, (int)(Align(bytes) - bytes));
            if (padding.IndexOfAnyExcept((byte)0) >= 0)
                throw Corrupt($"section padding at offset {_position + bytes} is not zero");
            _position += (int)Align(bytes);
            return span;
        }
    }
}
