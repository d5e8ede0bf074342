namespace VectorAspire.StreamingNode;

public sealed class StreamingNodeOptions
{
    public const string Section = "VectorAspire:StreamingNode";

    /// <summary>A growing segment seals once it holds this many rows.</summary>
    public int SealRows { get; set; } = 1_000_000;

    /// <summary>A growing segment seals once its payload reaches this many bytes (Milvus: 1 GiB segments).</summary>
    public long SealBytes { get; set; } = 1L << 30;

    /// <summary>A growing segment with data seals after this long, so the WAL can be truncated on quiet shards.</summary>
    public TimeSpan SealAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the seal-by-age check runs.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows per column block of a growing segment (blocks start small and grow to this).</summary>
    public int GrowingBlockRows { get; set; } = 8192;

    /// <summary>Most writes one group commit takes from the queue.</summary>
    public int MaxBatch { get; set; } = 256;
}
