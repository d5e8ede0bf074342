using System.Buffers.Binary;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes.Hnsw;

// File layout (little-endian), version 1:
//   header, 64 bytes
//     0 u32 magic 0x57534E48 ("HNSW")   4 u16 version   6 u16 flags (1 = SQ8 payload, 2 = refine vectors present)
//     8 i32 metric (0 L2, 1 IP, 2 COSINE)   12 i32 dim   16 i32 count   20 i32 M   24 i32 efConstruction
//    28 i32 entry point (−1 when empty)   32 i32 max level   36 i32 node bytes   40 i32 payload offset   44 i32 reserved
//    48 i64 upper-level ints   56 u32 CRC32C of the body   60 u32 CRC32C of header bytes 0..59
//   body
//     level-0 block: count × node bytes, each node [i32 link count][i32 links × 2M][payload: dim f32, or dim u8 + pad]
//     levels: count × u8
//     upper offsets: count × i32 (−1 for level-0-only nodes)
//     upper links: upper-level ints × i32 (per level: [count][M ids])
//     SQ8 only: min dim × f32, scale dim × f32
//     refine only: count × dim × f32 (normalised for COSINE)
// The level-0 block is one section, so loading is a bounds check, one copy and a structural validation pass.
public sealed unsafe partial class HnswIndex
{
    private const uint Magic = 0x57534E48;
    private const ushort FormatVersion = 1;
    private const int HeaderSize = 64;
    private const ushort FlagQuantized = 1;
    private const ushort FlagRefine = 2;

    public byte[] Serialize()
    {
        long level0 = (long)Count * _nodeBytes;
        long total = HeaderSize + level0 + Count + (4L * Count) + (4L * _upperInts) + (_quantized ? 8L * Dim : 0) + (_refine?.Length ?? 0);
        if (total > Array.MaxLength)
            throw new InvalidOperationException($"HNSW index of {total} bytes exceeds one array; split the segment");
        var bytes = GC.AllocateUninitializedArray<byte>((int)total);
        var span = bytes.AsSpan();
        int pos = HeaderSize;
        new ReadOnlySpan<byte>(_base, (int)level0).CopyTo(span[pos..]);
        pos += (int)level0;
        _levels.CopyTo(span[pos..]);
        pos += Count;
        foreach (int o in _upperOffsets)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[pos..], o);
            pos += 4;
        }
        new ReadOnlySpan<byte>(_upper, (int)(4 * _upperInts)).CopyTo(span[pos..]);
        pos += (int)(4 * _upperInts);
        if (_quantized)
        {
            foreach (float f in _sqMin!)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[pos..], f);
                pos += 4;
            }
            foreach (float f in _sqScale!)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[pos..], f);
                pos += 4;
            }
        }
        if (_refine is not null)
        {
            new ReadOnlySpan<byte>(_refine.Pointer, (int)_refine.Length).CopyTo(span[pos..]);
            pos += (int)_refine.Length;
        }
        var h = span[..HeaderSize];
        h.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)((_quantized ? FlagQuantized : 0) | (_refine is not null ? FlagRefine : 0)));
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], (int)Metric);
        BinaryPrimitives.WriteInt32LittleEndian(h[12..], Dim);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], _m);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], _efConstruction);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], _entryPoint);
        BinaryPrimitives.WriteInt32LittleEndian(h[32..], _maxLevel);
        BinaryPrimitives.WriteInt32LittleEndian(h[36..], _nodeBytes);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], _payloadOffset);
        BinaryPrimitives.WriteInt64LittleEndian(h[48..], _upperInts);
        BinaryPrimitives.WriteUInt32LittleEndian(h[56..], Crc32C.Compute(span[HeaderSize..]));
        BinaryPrimitives.WriteUInt32LittleEndian(h[60..], Crc32C.Compute(h[..60]));
        GC.KeepAlive(this);
        return bytes;
    }

    /// <summary>Reads what <see cref="Serialize"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Wrong magic or version, a checksum mismatch, a truncated or oversized
    /// body, or a graph that points outside itself.</exception>
    public static HnswIndex Load(ReadOnlySpan<byte> bytes, string? expectedIndexType = null)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("HNSW files are read on little-endian hosts only");
        if (bytes.Length < HeaderSize)
            throw Corrupt($"{bytes.Length} bytes is shorter than the {HeaderSize}-byte header");
        var h = bytes[..HeaderSize];
        if (BinaryPrimitives.ReadUInt32LittleEndian(h) != Magic)
            throw Corrupt("bad magic (not an HNSW index file)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(h[60..]) != Crc32C.Compute(h[..60]))
            throw Corrupt("header checksum mismatch");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
        if (version != FormatVersion)
            throw Corrupt($"unsupported version {version} (this build reads {FormatVersion})");
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
        int metricId = BinaryPrimitives.ReadInt32LittleEndian(h[8..]);
        int dim = BinaryPrimitives.ReadInt32LittleEndian(h[12..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
        int m = BinaryPrimitives.ReadInt32LittleEndian(h[20..]);
        int efc = BinaryPrimitives.ReadInt32LittleEndian(h[24..]);
        int entry = BinaryPrimitives.ReadInt32LittleEndian(h[28..]);
        int maxLevel = BinaryPrimitives.ReadInt32LittleEndian(h[32..]);
        int nodeBytes = BinaryPrimitives.ReadInt32LittleEndian(h[36..]);
        int payloadOffset = BinaryPrimitives.ReadInt32LittleEndian(h[40..]);
        long upperInts = BinaryPrimitives.ReadInt64LittleEndian(h[48..]);
        bool quantized = (flags & FlagQuantized) != 0;
        bool refine = (flags & FlagRefine) != 0;
        if ((flags & ~(FlagQuantized | FlagRefine)) != 0 || (refine && !quantized))
            throw Corrupt($"unknown flags 0x{flags:x}");
        if (metricId is < 0 or > 2 || dim < 1 || count < 0 || m < 2 || m > 4096 || maxLevel > MaxLevelCap
            || payloadOffset != 4 + (8 * m) || upperInts < 0
            || nodeBytes != (quantized ? (payloadOffset + dim + 3) & ~3 : payloadOffset + (4L * dim))
            || (count == 0 ? entry != -1 : (uint)entry >= (uint)count || maxLevel < 0))
            throw Corrupt("header fields are inconsistent");
        if (expectedIndexType is not null && !string.Equals(expectedIndexType, quantized ? "HNSW_SQ" : "HNSW", StringComparison.OrdinalIgnoreCase))
            throw Corrupt($"file holds {(quantized ? "HNSW_SQ" : "HNSW")}, expected {expectedIndexType}");
        long level0 = (long)count * nodeBytes;
        long refineBytes = refine ? 4L * count * dim : 0;
        long expected = HeaderSize + level0 + count + (4L * count) + (4L * upperInts) + (quantized ? 8L * dim : 0) + refineBytes;
        if (bytes.Length != expected)
            throw Corrupt($"length {bytes.Length} bytes, the header implies {expected} (truncated or trailing data)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(h[56..]) != Crc32C.Compute(bytes[HeaderSize..]))
            throw Corrupt("body checksum mismatch");

        int pos = HeaderSize;
        var block = new NativeBlock(level0);
        bytes.Slice(pos, (int)level0).CopyTo(new Span<byte>(block.Pointer, (int)level0));
        pos += (int)level0;
        var levels = bytes.Slice(pos, count).ToArray();
        pos += count;
        var offsets = new int[count];
        for (int i = 0; i < count; i++, pos += 4)
            offsets[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]);
        var upper = new NativeBlock(4 * upperInts);
        bytes.Slice(pos, (int)(4 * upperInts)).CopyTo(new Span<byte>(upper.Pointer, (int)(4 * upperInts)));
        pos += (int)(4 * upperInts);
        float[]? min = null, scale = null;
        if (quantized)
        {
            min = GC.AllocateArray<float>(dim, pinned: true);
            scale = GC.AllocateArray<float>(dim, pinned: true);
            for (int d = 0; d < dim; d++, pos += 4)
                min[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes[pos..]);
            for (int d = 0; d < dim; d++, pos += 4)
                scale[d] = BinaryPrimitives.ReadSingleLittleEndian(bytes[pos..]);
        }
        NativeBlock? refineBlock = null;
        if (refine)
        {
            refineBlock = new NativeBlock(refineBytes);
            bytes.Slice(pos, (int)refineBytes).CopyTo(new Span<byte>(refineBlock.Pointer, (int)refineBytes));
        }
        ValidateGraph(block.Pointer, nodeBytes, (int*)upper.Pointer, upperInts, levels, offsets, count, m, maxLevel, entry);
        return new HnswIndex((MetricType)metricId, dim, count, m, efc, block, nodeBytes, payloadOffset, upper, upperInts, levels, offsets,
            entry, maxLevel, quantized, min, scale, refineBlock);
    }

    /// <summary>Every link count and id must stay inside the graph: searches follow them with raw pointers.</summary>
    private static void ValidateGraph(byte* level0, int nodeBytes, int* upper, long upperInts, byte[] levels, int[] offsets,
        int count, int m, int maxLevel, int entry)
    {
        long nextOffset = 0;
        for (int i = 0; i < count; i++)
        {
            int* links = (int*)(level0 + ((long)i * nodeBytes));
            CheckList(links, 2 * m, count, i, 0);
            int level = levels[i];
            if (level > maxLevel)
                throw Corrupt($"node {i} has level {level} above the top level {maxLevel}");
            if (level == 0)
            {
                if (offsets[i] != -1)
                    throw Corrupt($"node {i} has no upper levels but an upper offset");
                continue;
            }
            if (offsets[i] != nextOffset)
                throw Corrupt($"node {i}: upper offset {offsets[i]}, expected {nextOffset}");
            nextOffset += (long)level * (m + 1);
            if (nextOffset > upperInts)
                throw Corrupt($"node {i}: upper links run past the section");
            for (int l = 1; l <= level; l++)
                CheckList(upper + offsets[i] + ((long)(l - 1) * (m + 1)), m, count, i, l);
        }
        if (nextOffset != upperInts || (count > 0 && levels[entry] != maxLevel))
            throw Corrupt("upper-level section does not match the node levels");
    }

    private static void CheckList(int* links, int max, int count, int node, int level)
    {
        int n = links[0];
        if ((uint)n > (uint)max)
            throw Corrupt($"node {node} level {level}: {n} links, at most {max}");
        for (int j = 1; j <= n; j++)
        {
            if ((uint)links[j] >= (uint)count)
                throw Corrupt($"node {node} level {level}: link to {links[j]} outside 0..{count - 1}");
        }
    }

    private static InvalidDataException Corrupt(string detail) => new($"HNSW index file is corrupt: {detail}");
}
