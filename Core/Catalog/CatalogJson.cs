using System.Text.Json;
using System.Text.Json.Serialization;

namespace VectorAspire.Core.Catalog;

/// <summary>
/// Source-generated (not reflection-based) JSON for catalog records stored in the meta store. Meta store values are
/// small documents, read at start-up and on DDL; segment and WAL data use explicit binary formats instead.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CollectionInfo))]
[JsonSerializable(typeof(AliasInfo))]
[JsonSerializable(typeof(SegmentInfo))]
[JsonSerializable(typeof(DeltaInfo))]
[JsonSerializable(typeof(ShardCheckpoint))]
[JsonSerializable(typeof(SegmentIndexInfo))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;

public static class CatalogJson
{
    public static byte[] Serialize(CollectionInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.CollectionInfo);

    public static byte[] Serialize(AliasInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.AliasInfo);

    public static byte[] Serialize(SegmentInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.SegmentInfo);

    public static byte[] Serialize(DeltaInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.DeltaInfo);

    public static byte[] Serialize(ShardCheckpoint value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.ShardCheckpoint);

    public static byte[] Serialize(SegmentIndexInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.SegmentIndexInfo);

    public static SegmentIndexInfo ReadSegmentIndex(byte[] json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.SegmentIndexInfo)
        ?? throw new InvalidDataException("empty segment index record");

    public static CollectionInfo ReadCollection(byte[] json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.CollectionInfo)
        ?? throw new InvalidDataException("empty collection record");

    public static AliasInfo ReadAlias(byte[] json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.AliasInfo)
        ?? throw new InvalidDataException("empty alias record");

    public static SegmentInfo ReadSegment(byte[] json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.SegmentInfo)
        ?? throw new InvalidDataException("empty segment record");

    public static DeltaInfo ReadDelta(byte[] json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.DeltaInfo)
        ?? throw new InvalidDataException("empty delta record");

    public static ShardCheckpoint ReadCheckpoint(byte[] json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.ShardCheckpoint)
        ?? throw new InvalidDataException("empty checkpoint record");
}
