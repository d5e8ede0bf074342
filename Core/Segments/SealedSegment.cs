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

    // Serializes index changes (and the column swaps that go with them); reads take no lock.
    private readonly Lock _indexLock = new();

    public override bool IsSealed => true;

    public SegmentBlock Block => _blocks[0];

    /// <summary>The built index of a vector field (schema field index), if one is loaded.</summary>
    public bool TryGetIndex(int fieldIndex, out LoadedIndex index) => _indexes.TryGetValue(fieldIndex, out index!);

    public IEnumerable<LoadedIndex> Indexes => _indexes.Values;

    /// <summary>
    /// Loads (or replaces) the index of a vector field. An index that owns bit-exact copies of the vectors takes over
    /// the column: it is published first, then the column is swapped for one that reads from it, so the segment holds
    /// the vectors once. Any other index gets an array-backed column, restored from the previous index before the
    /// new one is published. Readers never see a column without data: an old column stays valid for whoever holds it.
    /// </summary>
    public void SetIndex(int fieldIndex, LoadedIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        lock (_indexLock)
        {
            var column = VectorColumnOf(fieldIndex);
            if (index.Index.HasRawVectors)
            {
                var backed = VectorColumn.FromIndex(column, index.Index);
                _indexes[fieldIndex] = index;
                Block.Columns.ReplaceColumn(fieldIndex, backed);
            }
            else
            {
                RestoreColumn(fieldIndex, column);
                _indexes[fieldIndex] = index;
            }
        }
    }

    /// <summary>Drops the index of a vector field, first giving the column its own copy of the vectors again.</summary>
    public bool RemoveIndex(int fieldIndex)
    {
        lock (_indexLock)
        {
            if (!_indexes.ContainsKey(fieldIndex))
                return false;
            RestoreColumn(fieldIndex, VectorColumnOf(fieldIndex));
            return _indexes.TryRemove(fieldIndex, out _);
        }
    }

    /// <summary>
    /// The field's vectors as one contiguous array, for loading an index that searches the segment's own vectors
    /// (FLAT, IVF_SQ8, IVF_PQ, IVF_FLAT on COSINE). When the loaded index holds the vectors the column is restored
    /// from it first; the next <see cref="SetIndex"/> releases it again if the new index holds them too.
    /// </summary>
    public ReadOnlyMemory<float> VectorsForIndexLoad(int fieldIndex)
    {
        lock (_indexLock)
        {
            var column = RestoreColumn(fieldIndex, VectorColumnOf(fieldIndex));
            return column.RawValues.AsMemory(0, column.Count * column.Dim);
        }
    }

    private VectorColumn VectorColumnOf(int fieldIndex) => Block.Columns.Columns[fieldIndex] as VectorColumn
        ?? throw new ArgumentException($"field {fieldIndex} ('{Schema.Fields[fieldIndex].Name}') is not a float vector field", nameof(fieldIndex));

    private VectorColumn RestoreColumn(int fieldIndex, VectorColumn column)
    {
        if (!column.IsIndexBacked)
            return column;
        var restored = column.ToArrayBacked();
        Block.Columns.ReplaceColumn(fieldIndex, restored);
        return restored;
    }

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
