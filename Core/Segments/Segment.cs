using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments;

/// <summary>A block of a segment with its MVCC columns: insert timestamp and delete timestamp per row.</summary>
public sealed class SegmentBlock
{
    public SegmentBlock(ColumnBlock columns, ulong[] insertTs, int startRow)
    {
        Columns = columns;
        InsertTs = insertTs;
        DeleteTs = new ulong[insertTs.Length];
        DeleteTs.AsSpan().Fill(ulong.MaxValue);
        StartRow = startRow;
    }

    public ColumnBlock Columns { get; }

    public ulong[] InsertTs { get; }

    /// <summary>Earliest delete that hides the row (ulong.MaxValue = never deleted).</summary>
    public ulong[] DeleteTs { get; }

    /// <summary>Segment-wide row number of this block's first row.</summary>
    public int StartRow { get; }

    public int RowCount => Columns.RowCount;

    /// <summary>
    /// Sets bit i for rows visible at <paramref name="readTs"/>: inserted at or before it and not deleted at or
    /// before it. Bits past RowCount are cleared.
    /// </summary>
    public void Visibility(ulong readTs, Span<ulong> bits)
    {
        int n = RowCount;
        int words = (n + 63) >> 6;
        bits[..words].Clear();
        var ins = InsertTs.AsSpan(0, n);
        var del = DeleteTs.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            if (ins[i] <= readTs && del[i] > readTs)
                bits[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>
/// Rows of one partition of one shard. Read side shared by growing and sealed segments: blocks of columns, MVCC
/// timestamps and a primary-key index. Deletes mark rows on both kinds (a sealed segment's columns never change).
/// </summary>
public abstract class Segment
{
    private protected readonly PkIndex _pkIndex;
    private protected SegmentBlock[] _blocks = [];
    private readonly Lock _deleteLock = new();

    private protected Segment(long segmentId, long collectionId, long partitionId, string vchannel, CollectionSchema schema, int expectedRows)
    {
        SegmentId = segmentId;
        CollectionId = collectionId;
        PartitionId = partitionId;
        VChannel = vchannel;
        Schema = schema;
        PkFieldIndex = IndexOfPk(schema);
        _pkIndex = new PkIndex(schema.Fields[PkFieldIndex].DataType, expectedRows);
    }

    public long SegmentId { get; }

    public long CollectionId { get; }

    public long PartitionId { get; }

    public string VChannel { get; }

    public CollectionSchema Schema { get; }

    public int PkFieldIndex { get; }

    /// <summary>A snapshot of the blocks; the array is replaced, never mutated, when a block is added.</summary>
    public IReadOnlyList<SegmentBlock> Blocks => Volatile.Read(ref _blocks);

    public abstract bool IsSealed { get; }

    public int RowCount
    {
        get
        {
            var blocks = Volatile.Read(ref _blocks);
            return blocks.Length == 0 ? 0 : blocks[^1].StartRow + blocks[^1].RowCount;
        }
    }

    /// <summary>
    /// Applies a delete of <paramref name="pk"/> at <paramref name="ts"/>: rows of that key inserted before
    /// <paramref name="ts"/> become invisible from <paramref name="ts"/> on. Returns how many rows it hid.
    /// An upsert's insert shares its delete's timestamp, so the new row survives its own delete.
    /// </summary>
    public int ApplyDelete(PrimaryKey pk, ulong ts, List<int> scratch)
    {
        scratch.Clear();
        _pkIndex.Find(pk, scratch);
        int hidden = 0;
        if (scratch.Count == 0)
            return 0;
        var blocks = Volatile.Read(ref _blocks);
        lock (_deleteLock)
        {
            foreach (int row in scratch)
            {
                var (block, local) = Locate(blocks, row);
                if (block.InsertTs[local] < ts && block.DeleteTs[local] > ts)
                {
                    block.DeleteTs[local] = ts;
                    hidden++;
                }
            }
        }
        return hidden;
    }

    /// <summary>The newest row of <paramref name="pk"/> visible at <paramref name="readTs"/>, if any.</summary>
    public bool TryFindVisible(PrimaryKey pk, ulong readTs, List<int> scratch, out SegmentBlock block, out int rowInBlock, out ulong insertTs)
    {
        scratch.Clear();
        _pkIndex.Find(pk, scratch);
        var blocks = Volatile.Read(ref _blocks);
        foreach (int row in scratch)
        {
            var (b, local) = Locate(blocks, row);
            if (local < b.RowCount && b.InsertTs[local] <= readTs && b.DeleteTs[local] > readTs)
            {
                block = b;
                rowInBlock = local;
                insertTs = b.InsertTs[local];
                return true;
            }
        }
        block = null!;
        rowInBlock = -1;
        insertTs = 0;
        return false;
    }

    public long MemoryBytes
    {
        get
        {
            long total = _pkIndex.MemoryBytes;
            foreach (var b in Volatile.Read(ref _blocks))
                total += b.Columns.MemoryBytes + (b.InsertTs.Length * 16L);
            return total;
        }
    }

    private protected static (SegmentBlock Block, int Local) Locate(SegmentBlock[] blocks, int row)
    {
        // Blocks are few (growing segments: capacity grows geometrically); a linear scan from the end is fine.
        for (int i = blocks.Length - 1; i >= 0; i--)
        {
            if (row >= blocks[i].StartRow)
                return (blocks[i], row - blocks[i].StartRow);
        }
        throw new ArgumentOutOfRangeException(nameof(row));
    }

    private static int IndexOfPk(CollectionSchema schema)
    {
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].IsPrimaryKey)
                return i;
        }
        throw new ArgumentException("schema has no primary key", nameof(schema));
    }
}
