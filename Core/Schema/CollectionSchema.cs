namespace VectorAspire.Core.Schema;

/// <summary>A collection's schema: the fields in declaration order plus the dynamic-field switch.</summary>
public sealed record CollectionSchema
{
    public const string DynamicFieldName = "$meta";

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required IReadOnlyList<FieldSchema> Fields { get; init; }
    public bool EnableDynamicField { get; init; }

    public FieldSchema PrimaryKey => Fields.First(f => f.IsPrimaryKey);

    public FieldSchema? DynamicField => Fields.FirstOrDefault(f => f.IsDynamic);

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

    public IEnumerable<FieldSchema> VectorFields => Fields.Where(f => f.DataType.IsVector());
}
