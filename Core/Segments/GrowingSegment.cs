using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments;

/// <summary>
/// The in-memory segment a shard appends to. One writer (the shard's apply loop); readers see rows once a block
/// publishes them. Block capacities grow geometrically (64 → 256 → ... → MaxBlockRows), so small segments stay small
/// and big ones waste at most part of their last block.
/// </summary>
public sealed class GrowingSegment : Segment
{
    public const int MinBlockRows = 64;
    private readonly int _maxBlockRows;

    public GrowingSegment(long segmentId, long collectionId, long partitionId, string vchannel, CollectionSchema schema, int maxBlockRows = 8192)
        : base(segmentId, collectionId, partitionId, vchannel, schema, 0)
    {
        _maxBlockRows = Math.Max(MinBlockRows, maxBlockRows);
    }

    public override bool IsSealed => false;

    public ulong MinTimestamp { get; private set; } = ulong.MaxValue;

    public ulong MaxTimestamp { get; private set; }

    /// <summary>Payload bytes held (for the seal threshold): column memory of written rows.</summary>
    public long DataBytes { get; private set; }

    /// <summary>Appends every row of <paramref name="rows"/> (same schema) stamped with <paramref name="ts"/>.</summary>
    public void Append(ColumnBlock rows, ulong ts)
    {
        int n = rows.RowCount;
        int done = 0;
        while (done < n)
        {
            var block = CurrentBlockWithRoom();
            int room = block.Columns.Capacity - block.RowCount;
            int take = Math.Min(room, n - done);
            int start = block.RowCount;
            for (int f = 0; f < rows.Columns.Length; f++)
                ColumnCopy.AppendRange(block.Columns.Columns[f], rows.Columns[f], done, take);
            block.InsertTs.AsSpan(start, take).Fill(ts);
            var pkCol = block.Columns.Columns[PkFieldIndex];
            for (int i = 0; i < take; i++)
                _pkIndex.Add(pkCol, start + i, block.StartRow + start + i);
            block.Columns.PublishRows(start + take);
            done += take;
        }
        if (n > 0)
        {
            MinTimestamp = Math.Min(MinTimestamp, ts);
            MaxTimestamp = Math.Max(MaxTimestamp, ts);
            DataBytes += ColumnCopy.EstimateBytes(rows);
        }
    }

    /// <summary>All rows as one block plus their insert timestamps (for flushing).</summary>
    public (ColumnBlock Block, ulong[] InsertTs, ulong[] DeleteTs) Snapshot()
    {
        var blocks = Volatile.Read(ref _blocks);
        int total = RowCount;
        var merged = new ColumnBlock(Schema, total);
        var ins = new ulong[total];
        var del = new ulong[total];
        foreach (var b in blocks)
        {
            int n = b.RowCount;
            for (int f = 0; f < merged.Columns.Length; f++)
                ColumnCopy.AppendRange(merged.Columns[f], b.Columns.Columns[f], 0, n);
            b.InsertTs.AsSpan(0, n).CopyTo(ins.AsSpan(b.StartRow));
            b.DeleteTs.AsSpan(0, n).CopyTo(del.AsSpan(b.StartRow));
        }
        merged.PublishRows(total);
        return (merged, ins, del);
    }

    private SegmentBlock CurrentBlockWithRoom()
    {
        var blocks = _blocks;
        if (blocks.Length > 0 && !blocks[^1].Columns.IsFull)
            return blocks[^1];
        int capacity = blocks.Length == 0 ? MinBlockRows : Math.Min(_maxBlockRows, blocks[^1].Columns.Capacity * 4);
        int start = blocks.Length == 0 ? 0 : blocks[^1].StartRow + blocks[^1].RowCount;
        var block = new SegmentBlock(new ColumnBlock(Schema, capacity), new ulong[capacity], start);
        var grown = new SegmentBlock[blocks.Length + 1];
        blocks.CopyTo(grown, 0);
        grown[^1] = block;
        Volatile.Write(ref _blocks, grown);
        return block;
    }
}
