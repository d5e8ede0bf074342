using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Catalog;

public enum ConsistencyLevel
{
    Strong = 0,
    Session = 1,
    Bounded = 2,
    Eventually = 3,
    Customized = 4,
}

/// <summary>A collection as the catalog stores it (one meta-store key per collection).</summary>
public sealed record CollectionInfo
{
    public required long CollectionId { get; init; }
    public required string DbName { get; init; }
    public required string Name { get; init; }
    public required CollectionSchema Schema { get; init; }
    /// <summary>One virtual channel per shard; rows go to shard hash(pk) % ShardsNum.</summary>
    public required IReadOnlyList<string> VChannels { get; init; }
    /// <summary>The physical channel (WAL log) each virtual channel lives on.</summary>
    public required IReadOnlyList<string> PChannels { get; init; }
    public ConsistencyLevel ConsistencyLevel { get; init; } = ConsistencyLevel.Bounded;
    public required ulong CreatedTimestamp { get; init; }
    public required IReadOnlyList<PartitionInfo> Partitions { get; init; }
    public IReadOnlyList<IndexInfo> Indexes { get; init; } = [];
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    /// <summary>Partition ids currently loaded for search/query.</summary>
    public IReadOnlyList<long> LoadedPartitionIds { get; init; } = [];

    public int ShardsNum => VChannels.Count;

    public PartitionInfo? FindPartition(string name)
    {
        foreach (var p in Partitions)
        {
            if (string.Equals(p.Name, name, StringComparison.Ordinal))
                return p;
        }
        return null;
    }

    public bool IsLoaded => LoadedPartitionIds.Count > 0;
}

public sealed record PartitionInfo(long PartitionId, string Name, ulong CreatedTimestamp);

public sealed record IndexInfo
{
    public required string IndexName { get; init; }
    public required long FieldId { get; init; }
    public required string FieldName { get; init; }
    public required string IndexType { get; init; }
    public required string MetricType { get; init; }
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();
}

public sealed record AliasInfo(string DbName, string Alias, long CollectionId);

/// <summary>A database as the catalog stores it (one meta-store key per database, by name).</summary>
public sealed record DatabaseInfo
{
    public required long DbId { get; init; }
    public required string Name { get; init; }
    public required ulong CreatedTimestamp { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}

/// <summary>A sealed, flushed segment: its files live under <see cref="PathPrefix"/> in the object store.</summary>
public sealed record SegmentInfo
{
    public required long SegmentId { get; init; }
    public required long CollectionId { get; init; }
    public required long PartitionId { get; init; }
    public required string VChannel { get; init; }
    public required int RowCount { get; init; }
    public required string PathPrefix { get; init; }
    public required ulong MinTimestamp { get; init; }
    public required ulong MaxTimestamp { get; init; }
}

/// <summary>A flushed batch of deletes for one shard (Milvus's L0 segment).</summary>
public sealed record DeltaInfo
{
    public required long DeltaId { get; init; }
    public required long CollectionId { get; init; }
    public required string VChannel { get; init; }
    /// <summary>Partition the deletes apply to; 0 = every partition.</summary>
    public long PartitionId { get; init; }
    public required int Count { get; init; }
    public required string Key { get; init; }
    public required ulong MinTimestamp { get; init; }
    public required ulong MaxTimestamp { get; init; }
}

/// <summary>A built index of one sealed segment: its file lives at <see cref="Key"/> in the object store.</summary>
public sealed record SegmentIndexInfo
{
    public required long CollectionId { get; init; }
    public required long SegmentId { get; init; }
    public required string IndexName { get; init; }
    public required string IndexType { get; init; }
    public required long FieldId { get; init; }
    public required string Key { get; init; }
    public required int Rows { get; init; }
    public required long BuildMilliseconds { get; init; }
    public long SizeBytes { get; init; }
}

/// <summary>How far a shard's WAL entries are persisted in the object store: replay skips entries below it.</summary>
public sealed record ShardCheckpoint(long CollectionId, string VChannel, long Lsn);
