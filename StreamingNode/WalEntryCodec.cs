using System.Buffers.Binary;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.StreamingNode;

/// <summary>A decoded WAL record: one write for one shard, stamped with its timestamp.</summary>
public sealed record WalEntry(ShardWrite Write, ulong Timestamp);

/// <summary>
/// WAL payload layout (little-endian; the WAL adds length + CRC32C per record):
///   u8 version (1) | u8 kind | i64 collectionId | i32 shard | i64 partitionId | i64 deletePartitionId | u64 ts
///   i32 rowCount | i32 columnCount | columnCount × (i32 length, column-file bytes)   — insert rows, schema order
///   i32 keysLength (-1 = none) | column-file bytes of the delete keys
/// Column bytes use the sealed-segment column file format, which carries its own magic and checksums.
/// </summary>
public static class WalEntryCodec
{
    private const byte Version = 1;
    private const int HeaderSize = 1 + 1 + 8 + 4 + 8 + 8 + 8;

    public static byte[] Encode(ShardWrite write, ulong ts, CollectionSchema schema)
    {
        var columns = new List<byte[]>();
        if (write.Rows is { } rows)
        {
            for (int i = 0; i < rows.Columns.Length; i++)
                columns.Add(ColumnFile.Write(rows.Columns[i], schema.Fields[i]));
        }
        byte[]? keys = write.DeleteKeys is { } k ? ColumnFile.Write(k, schema.PrimaryKey) : null;
        int size = HeaderSize + 8;
        foreach (var c in columns)
            size += 4 + c.Length;
        size += 4 + (keys?.Length ?? 0);
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        span[0] = Version;
        span[1] = (byte)write.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[2..], write.CollectionId);
        BinaryPrimitives.WriteInt32LittleEndian(span[10..], write.Shard);
        BinaryPrimitives.WriteInt64LittleEndian(span[14..], write.PartitionId);
        BinaryPrimitives.WriteInt64LittleEndian(span[22..], write.DeletePartitionId);
        BinaryPrimitives.WriteUInt64LittleEndian(span[30..], ts);
        int pos = HeaderSize;
        BinaryPrimitives.WriteInt32LittleEndian(span[pos..], write.Rows?.RowCount ?? 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[(pos + 4)..], columns.Count);
        pos += 8;
        foreach (var c in columns)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[pos..], c.Length);
            c.CopyTo(span[(pos + 4)..]);
            pos += 4 + c.Length;
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[pos..], keys?.Length ?? -1);
        keys?.CopyTo(span[(pos + 4)..]);
        return buffer;
    }

    /// <summary>Reads the collection id without decoding (to skip entries of dropped collections).</summary>
    public static long PeekCollectionId(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderSize || payload[0] != Version)
            throw new InvalidDataException("WAL entry has an unknown version or is too short");
        return BinaryPrimitives.ReadInt64LittleEndian(payload[2..]);
    }

    public static int PeekShard(ReadOnlySpan<byte> payload)
    {
        PeekCollectionId(payload);
        return BinaryPrimitives.ReadInt32LittleEndian(payload[10..]);
    }

    public static WalEntry Decode(ReadOnlyMemory<byte> payload, CollectionSchema schema)
    {
        var span = payload.Span;
        PeekCollectionId(span);
        var kind = (WriteKind)span[1];
        long collectionId = BinaryPrimitives.ReadInt64LittleEndian(span[2..]);
        int shard = BinaryPrimitives.ReadInt32LittleEndian(span[10..]);
        long partitionId = BinaryPrimitives.ReadInt64LittleEndian(span[14..]);
        long deletePartitionId = BinaryPrimitives.ReadInt64LittleEndian(span[22..]);
        ulong ts = BinaryPrimitives.ReadUInt64LittleEndian(span[30..]);
        int pos = HeaderSize;
        int rowCount = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
        int columnCount = BinaryPrimitives.ReadInt32LittleEndian(span[(pos + 4)..]);
        pos += 8;
        ColumnBlock? rows = null;
        if (columnCount > 0)
        {
            if (columnCount != schema.Fields.Count)
                throw new InvalidDataException($"WAL entry has {columnCount} columns, the schema has {schema.Fields.Count}");
            var columns = new Column[columnCount];
            for (int i = 0; i < columnCount; i++)
            {
                int len = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
                columns[i] = ColumnFile.Read(payload.Slice(pos + 4, len), schema.Fields[i]);
                pos += 4 + len;
            }
            rows = new ColumnBlock(schema, columns, rowCount);
        }
        int keysLen = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
        Column? keys = keysLen < 0 ? null : ColumnFile.Read(payload.Slice(pos + 4, keysLen), schema.PrimaryKey);
        var write = new ShardWrite
        {
            CollectionId = collectionId,
            Shard = shard,
            Kind = kind,
            PartitionId = partitionId,
            Rows = rows,
            DeleteKeys = keys,
            DeletePartitionId = deletePartitionId,
        };
        return new WalEntry(write, ts);
    }
}
