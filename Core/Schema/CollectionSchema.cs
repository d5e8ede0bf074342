using System.Text.Json.Serialization;

namespace VectorAspire.Core.Schema;

/// <summary>A collection's schema: the fields in declaration order plus the dynamic-field switch.</summary>
public sealed record CollectionSchema
{
    public const string DynamicFieldName = "$meta";

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required IReadOnlyList<FieldSchema> Fields { get; init; }
    public bool EnableDynamicField { get; init; }

    // Derived views are not part of the catalog JSON: a schema without a primary key (rejected by validation, which
    // may run in another role) must still serialize.
    [JsonIgnore]
    public FieldSchema PrimaryKey => Fields.First(f => f.IsPrimaryKey);

    [JsonIgnore]
    public FieldSchema? DynamicField => Fields.FirstOrDefault(f => f.IsDynamic);

    [JsonIgnore]
    public FieldSchema? PartitionKey => Fields.FirstOrDefault(f => f.IsPartitionKey);

    public FieldSchema? FindField(string name)
    {
        foreach (var f in Fields)
        {
            if (string.Equals(f.Name, name, StringComparison.Ordinal))
                return f;
        }
        return null;
    }

    public FieldSchema? FindField(long fieldId)
    {
        foreach (var f in Fields)
        {
            if (f.FieldId == fieldId)
                return f;
        }
        return null;
    }

    [JsonIgnore]
    public IEnumerable<FieldSchema> VectorFields => Fields.Where(f => f.DataType.IsVector());
}
