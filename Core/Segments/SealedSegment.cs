using System.Collections.Concurrent;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Indexes;
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

    private readonly ConcurrentDictionary<int, LoadedIndex> _indexes = new();

    public override bool IsSealed => true;

    public SegmentBlock Block => _blocks[0];

    /// <summary>The built index of a vector field (schema field index), if one is loaded.</summary>
    public bool TryGetIndex(int fieldIndex, out LoadedIndex index) => _indexes.TryGetValue(fieldIndex, out index!);

    public IEnumerable<LoadedIndex> Indexes => _indexes.Values;

    public void SetIndex(int fieldIndex, LoadedIndex index) => _indexes[fieldIndex] = index;

    public bool RemoveIndex(int fieldIndex) => _indexes.TryRemove(fieldIndex, out _);

    public long IndexMemoryBytes
    {
        get
        {
            long total = 0;
            foreach (var i in _indexes.Values)
                total += i.Index.MemoryBytes;
            return total;
        }
    }
}

/// <summary>An index loaded for a sealed segment, with the catalog name it was built for.</summary>
public sealed record LoadedIndex(string IndexName, IVectorIndex Index);
