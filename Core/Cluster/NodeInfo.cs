using System.Text.Json;
using System.Text.Json.Serialization;

namespace VectorAspire.Core.Cluster;

/// <summary>Cluster roles, as they appear in registry keys and Aspire resource names.</summary>
public static class NodeRoles
{
    public const string Proxy = "proxy";
    public const string Coordinator = "coordinator";
    public const string StreamingNode = "streamingnode";
    public const string QueryNode = "querynode";
    public const string DataNode = "datanode";

    public static readonly IReadOnlyList<string> All = [Proxy, Coordinator, StreamingNode, QueryNode, DataNode];
}

/// <summary>
/// One live role instance as registered under <c>{prefix}{role}/{nodeId}</c>: where its internal gRPC endpoint
/// listens and how much memory it offers (input for placing segments on QueryNodes).
/// </summary>
public sealed record NodeInfo(string Role, string NodeId, string Address, long MemoryBytes = 0)
{
    /// <summary>True for members taken from configuration (Aspire's <c>services__…</c>), not from the registry.</summary>
    [JsonIgnore]
    public bool FromConfiguration { get; init; }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, NodeInfoJson.Default.NodeInfo);

    public static NodeInfo Decode(string key, byte[] value) =>
        JsonSerializer.Deserialize(value, NodeInfoJson.Default.NodeInfo)
        ?? throw new InvalidDataException($"registry entry '{key}' is empty");
}

[JsonSerializable(typeof(NodeInfo))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class NodeInfoJson : JsonSerializerContext;
