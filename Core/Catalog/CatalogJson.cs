using System.Text.Json;
using System.Text.Json.Serialization;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Catalog;

/// <summary>
/// Source-generated (not reflection-based) JSON for catalog records stored in the meta store. Meta store values (and catalog
/// records sent between roles) are small documents, read at start-up and on DDL; segment and WAL data use explicit binary formats instead.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CollectionInfo))]
[JsonSerializable(typeof(AliasInfo))]
[JsonSerializable(typeof(DatabaseInfo))]
[JsonSerializable(typeof(SegmentInfo))]
[JsonSerializable(typeof(DeltaInfo))]
[JsonSerializable(typeof(ShardCheckpoint))]
[JsonSerializable(typeof(SegmentIndexInfo))]
[JsonSerializable(typeof(IndexInfo))]
[JsonSerializable(typeof(CollectionSchema))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;

public static class CatalogJson
{
    public static byte[] Serialize(CollectionInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.CollectionInfo);

    public static byte[] Serialize(AliasInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.AliasInfo);

    public static byte[] Serialize(DatabaseInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.DatabaseInfo);

    public static byte[] Serialize(SegmentInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.SegmentInfo);

    public static byte[] Serialize(DeltaInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.DeltaInfo);

    public static byte[] Serialize(ShardCheckpoint value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.ShardCheckpoint);

    public static byte[] Serialize(SegmentIndexInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.SegmentIndexInfo);

    public static byte[] Serialize(IndexInfo value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.IndexInfo);

    public static byte[] Serialize(CollectionSchema value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogJsonContext.Default.CollectionSchema);

    public static IndexInfo ReadIndex(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.IndexInfo)
        ?? throw new InvalidDataException("empty index record");

    public static CollectionSchema ReadSchema(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.CollectionSchema)
        ?? throw new InvalidDataException("empty schema record");

    public static SegmentIndexInfo ReadSegmentIndex(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.SegmentIndexInfo)
        ?? throw new InvalidDataException("empty segment index record");

    public static CollectionInfo ReadCollection(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.CollectionInfo)
        ?? throw new InvalidDataException("empty collection record");

    public static AliasInfo ReadAlias(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.AliasInfo)
        ?? throw new InvalidDataException("empty alias record");

    public static DatabaseInfo ReadDatabase(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.DatabaseInfo)
        ?? throw new InvalidDataException("empty database record");

    public static SegmentInfo ReadSegment(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.SegmentInfo)
        ?? throw new InvalidDataException("empty segment record");

    public static DeltaInfo ReadDelta(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.DeltaInfo)
        ?? throw new InvalidDataException("empty delta record");

    public static ShardCheckpoint ReadCheckpoint(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CatalogJsonContext.Default.ShardCheckpoint)
        ?? throw new InvalidDataException("empty checkpoint record");
}
