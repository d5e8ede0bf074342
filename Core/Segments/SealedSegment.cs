using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments;

/// <summary>An immutable, flushed segment loaded from the object store: one block of columns.</summary>
public sealed class SealedSegment : Segment
{
    public SealedSegment(long segmentId, long collectionId, long partitionId, string vchannel, CollectionSchema schema,
        ColumnBlock columns, ulong[] insertTs)
        : base(segmentId, collectionId, partitionId, vchannel, schema, columns.RowCount)
    {
        if (insertTs.Length < columns.RowCount)
            throw new ArgumentException("one insert timestamp per row is required", nameof(insertTs));
        var block = new SegmentBlock(columns, insertTs, 0);
        var pkCol = columns.Columns[PkFieldIndex];
        for (int i = 0; i < columns.RowCount; i++)
            _pkIndex.Add(pkCol, i, i);
        _blocks = [block];
    }

    public override bool IsSealed => true;

    public SegmentBlock Block => _blocks[0];
}
