using System.Text.Json.Nodes;

namespace VectorAspire.Core.Schema;

/// <summary>One field of a collection. Immutable once the collection exists.</summary>
public sealed record FieldSchema
{
    public required long FieldId { get; init; }
    public required string Name { get; init; }
    public required DataType DataType { get; init; }
    public string Description { get; init; } = "";
    public bool IsPrimaryKey { get; init; }
    public bool AutoId { get; init; }
    public bool IsPartitionKey { get; init; }
    /// <summary>The hidden JSON field ($meta) that holds keys not declared in the schema.</summary>
    public bool IsDynamic { get; init; }
    public bool Nullable { get; init; }
    /// <summary>Default value as JSON (null when none). Applied when a row omits the field or gives null.</summary>
    public JsonNode? DefaultValue { get; init; }
    /// <summary>Vector dimension (vector types only).</summary>
    public int Dim { get; init; }
    /// <summary>Maximum length in bytes (VarChar, and VarChar array elements).</summary>
    public int MaxLength { get; init; }
    /// <summary>Element type of an Array field.</summary>
    public DataType ElementType { get; init; }
    /// <summary>Maximum element count of an Array field.</summary>
    public int MaxCapacity { get; init; }
}
