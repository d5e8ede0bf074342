using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Segments;

namespace VectorAspire.StreamingNode;

/// <summary>What a read sees of a shard: growing segments held here and sealed segments on the QueryNode.</summary>
internal sealed record ShardView(IReadOnlyList<Segment> Growing, IReadOnlyList<SegmentInfo> Sealed);

/// <summary>A delete as the shard remembers it (to replay onto segments loaded later).</summary>
internal readonly record struct DeleteRecord(PrimaryKey Pk, ulong Ts, long PartitionId);

/// <summary>
/// One shard (virtual channel) of a collection on this StreamingNode. Mutated only under its physical channel's
/// apply lock; reads take the immutable <see cref="View"/>.
/// </summary>
internal sealed class Shard(CollectionInfo info, int index, PChannel channel)
{
    private volatile ShardView _view = new([], []);

    public CollectionInfo Info { get; set; } = info;

    public int Index { get; } = index;

    public string VChannel => Info.VChannels[Index];

    public PChannel Channel { get; } = channel;

    public long CollectionId => Info.CollectionId;

    public ShardView View => _view;

    /// <summary>Current growing segment per partition.</summary>
    public Dictionary<long, GrowingSegment> Growing { get; } = [];

    /// <summary>Sealed growing segments whose flush has not been committed and loaded yet (still searched here).</summary>
    public List<GrowingSegment> Flushing { get; } = [];

    /// <summary>Flushed segments in the catalog.</summary>
    public List<SegmentInfo> Sealed { get; } = [];

    /// <summary>Deletes not yet written to a delete log.</summary>
    public List<DeleteRecord> PendingDeletes { get; set; } = [];

    /// <summary>Every delete the shard knows (persisted and pending), replayed onto segments when they load.</summary>
    public List<DeleteRecord> KnownDeletes { get; } = [];

    /// <summary>LSN of the first WAL entry applied since the last flush cut (null = all persisted).</summary>
    public long? FirstUnpersistedLsn { get; set; }

    /// <summary>WAL entries below this LSN are persisted for this shard (replay skips them).</summary>
    public long CheckpointLsn { get; set; }

    /// <summary>Sealed segments are on the QueryNode.</summary>
    public bool SealedLoaded { get; set; }

    /// <summary>Nonzero while the sealed segments are being reloaded on moved QueryNodes (reads are retryable then).</summary>
    public int Reloading;

    /// <summary>When the oldest not-yet-flushed entry was applied (drives seal-by-age).</summary>
    public DateTimeOffset OldestUnpersisted { get; set; } = DateTimeOffset.MaxValue;

    /// <summary>Serialises flushes of this shard.</summary>
    public SemaphoreSlim FlushGate { get; } = new(1, 1);

    public bool Dropped { get; set; }

    public void PublishView()
    {
        var growing = new List<Segment>(Growing.Count + Flushing.Count);
        growing.AddRange(Growing.Values);
        growing.AddRange(Flushing);
        _view = new ShardView(growing, [.. Sealed]);
    }

    public long RowCount(IReadOnlyList<long>? partitionIds)
    {
        long total = 0;
        var view = _view;
        foreach (var g in view.Growing)
        {
            if (partitionIds is null || partitionIds.Contains(g.PartitionId))
                total += g.RowCount;
        }
        foreach (var s in view.Sealed)
        {
            if (partitionIds is null || partitionIds.Contains(s.PartitionId))
                total += s.RowCount;
        }
        return total;
    }

    public static Column KeysColumn(CollectionInfo info, IReadOnlyList<DeleteRecord> deletes)
    {
        var column = PrimaryKey.NewColumn(info.Schema.PrimaryKey.DataType, deletes.Count);
        foreach (var d in deletes)
            d.Pk.AppendTo(column);
        return column;
    }
}
