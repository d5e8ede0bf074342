namespace VectorAspire.Coordinator;

public sealed class CoordinatorOptions
{
    public const string Section = "VectorAspire:Coordinator";

    /// <summary>Physical WAL channels that virtual channels (one per shard) are spread over.</summary>
    public int PChannelCount { get; set; } = 16;

    /// <summary>Upper bound on shards per collection (Milvus: 16).</summary>
    public int MaxShards { get; set; } = 16;

    /// <summary>Partitions created for a collection with a partition key when the request does not say (Milvus: 16).</summary>
    public int DefaultPartitionKeyPartitions { get; set; } = 16;

    public int MaxCollections { get; set; } = 65536;

    /// <summary>Upper bound on databases, the default one included (Milvus: rootCoord.maxDatabaseNum = 64).</summary>
    public int MaxDatabases { get; set; } = 64;

    public int MaxPartitionsPerCollection { get; set; } = 1024;
}
