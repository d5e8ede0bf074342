using VectorAspire.Core.Errors;

namespace VectorAspire.Core.Schema;

/// <summary>Milvus's schema rules, with messages that say what to change.</summary>
public static class SchemaValidator
{
    public const int MaxNameLength = 255;
    public const int MaxFields = 64;
    public const int MaxVarCharLength = 65535;
    public const int MinDim = 2;
    public const int MaxDim = 32768;
    public const int MaxArrayCapacity = 4096;

    /// <summary>Collection, partition, alias, index and field names: letter or underscore first, then letters, digits, underscores.</summary>
    public static void ValidateName(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"{what} name should not be empty");
        if (name.Length > MaxNameLength)
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"the length of a {what} name must be not greater than {MaxNameLength} characters: '{name[..20]}...'");
        char first = name[0];
        if (first != '_' && !char.IsAsciiLetter(first))
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"invalid {what} name '{name}': the first character of a {what} name must be an underscore or letter");
        foreach (char c in name)
        {
            if (c != '_' && !char.IsAsciiLetterOrDigit(c))
                throw new MilvusException(ErrorCodes.ParameterInvalid, $"invalid {what} name '{name}': {what} name can only contain numbers, letters and underscores");
        }
    }

    public static void Validate(CollectionSchema schema)
    {
        ValidateName(schema.Name, "collection");
        var userFields = schema.Fields.Where(f => !f.IsDynamic).ToList();
        if (userFields.Count == 0)
            throw Illegal("schema has no fields");
        if (userFields.Count > MaxFields)
            throw Illegal($"a collection can have at most {MaxFields} fields, got {userFields.Count}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        int pks = 0, vectors = 0, partitionKeys = 0;
        foreach (var f in userFields)
        {
            ValidateName(f.Name, "field");
            if (!names.Add(f.Name))
                throw Illegal($"duplicated field name '{f.Name}'");
            ValidateField(f);
            if (f.IsPrimaryKey)
                pks++;
            if (f.DataType.IsVector())
                vectors++;
            if (f.IsPartitionKey)
                partitionKeys++;
        }
        if (pks != 1)
            throw Illegal(pks == 0 ? "the schema must have a primary key field (set isPrimary on one Int64 or VarChar field)" : "the schema can only have one primary key field");
        if (vectors == 0)
            throw Illegal("the schema must have at least one vector field");
        if (partitionKeys > 1)
            throw Illegal("the schema can only have one partition key field");
    }

    private static void ValidateField(FieldSchema f)
    {
        switch (f.DataType)
        {
            case DataType.Bool or DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64
                or DataType.Float or DataType.Double or DataType.Json:
                break;
            case DataType.VarChar:
                if (f.MaxLength <= 0 || f.MaxLength > MaxVarCharLength)
                    throw Illegal($"field '{f.Name}': max_length must be between 1 and {MaxVarCharLength} for VarChar, got {f.MaxLength}");
                break;
            case DataType.Array:
                if (f.ElementType is DataType.None or DataType.Array or DataType.Json || f.ElementType.IsVector())
                    throw Illegal($"field '{f.Name}': element type {f.ElementType.Name()} is not supported in an Array (use Bool, Int8..Int64, Float, Double or VarChar)");
                if (f.MaxCapacity <= 0 || f.MaxCapacity > MaxArrayCapacity)
                    throw Illegal($"field '{f.Name}': max_capacity must be between 1 and {MaxArrayCapacity}, got {f.MaxCapacity}");
                if (f.ElementType == DataType.VarChar && (f.MaxLength <= 0 || f.MaxLength > MaxVarCharLength))
                    throw Illegal($"field '{f.Name}': max_length must be between 1 and {MaxVarCharLength} for VarChar elements, got {f.MaxLength}");
                break;
            case DataType.FloatVector:
                if (f.Dim < MinDim || f.Dim > MaxDim)
                    throw Illegal($"field '{f.Name}': dim must be between {MinDim} and {MaxDim} for FloatVector, got {f.Dim}");
                break;
            default:
                throw new MilvusException(ErrorCodes.ParameterInvalid, $"field '{f.Name}': data type {f.DataType.Name()} is not supported yet");
        }
        if (f.IsPrimaryKey)
        {
            if (f.DataType is not (DataType.Int64 or DataType.VarChar))
                throw Illegal($"field '{f.Name}': the primary key must be Int64 or VarChar, got {f.DataType.Name()}");
            if (f.Nullable)
                throw Illegal($"field '{f.Name}': the primary key cannot be nullable");
            if (f.DefaultValue is not null)
                throw Illegal($"field '{f.Name}': the primary key cannot have a default value");
        }
        else if (f.AutoId)
        {
            throw Illegal($"field '{f.Name}': only the primary key can be autoID");
        }
        if (f.AutoId && f.DataType != DataType.Int64)
            throw Illegal($"field '{f.Name}': autoID is only supported for Int64 primary keys");
        if (f.IsPartitionKey)
        {
            if (f.IsPrimaryKey)
                throw Illegal($"field '{f.Name}': the partition key cannot be the primary key");
            if (f.DataType is not (DataType.Int64 or DataType.VarChar))
                throw Illegal($"field '{f.Name}': the partition key must be Int64 or VarChar");
            if (f.Nullable)
                throw Illegal($"field '{f.Name}': the partition key cannot be nullable");
        }
        if (f.DataType.IsVector() && f.DefaultValue is not null)
            throw Illegal($"field '{f.Name}': vector fields cannot have a default value");
    }

    private static MilvusException Illegal(string message) => new(ErrorCodes.CollectionIllegalSchema, message);
}
