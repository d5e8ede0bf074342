namespace VectorAspire.Proxy;

public sealed class ProxyOptions
{
    public const string Section = "VectorAspire:Proxy";

    /// <summary>Largest request body accepted (Milvus: 64 MB).</summary>
    public long MaxRequestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>topK, and offset + limit, at most this (Milvus: 16384).</summary>
    public int MaxTopK { get; set; } = 16384;

    /// <summary>Query vectors per search at most (Milvus: 16384).</summary>
    public int MaxNq { get; set; } = 16384;

    /// <summary>Staleness allowed by Bounded consistency (Milvus: 5 s).</summary>
    public TimeSpan BoundedStaleness { get; set; } = TimeSpan.FromSeconds(5);
}
