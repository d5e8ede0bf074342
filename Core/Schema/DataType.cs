namespace VectorAspire.Core.Schema;

/// <summary>Field data types with Milvus's wire enum ids (schema.proto DataType).</summary>
public enum DataType
{
    None = 0,
    Bool = 1,
    Int8 = 2,
    Int16 = 3,
    Int32 = 4,
    Int64 = 5,
    Float = 10,
    Double = 11,
    String = 20,
    VarChar = 21,
    Array = 22,
    Json = 23,
    BinaryVector = 100,
    FloatVector = 101,
    Float16Vector = 102,
    BFloat16Vector = 103,
    SparseFloatVector = 104,
    Int8Vector = 105,
}

public static class DataTypes
{
    public static bool IsInteger(this DataType t) => t is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64;

    public static bool IsFloating(this DataType t) => t is DataType.Float or DataType.Double;

    public static bool IsNumeric(this DataType t) => t.IsInteger() || t.IsFloating();

    public static bool IsVector(this DataType t) => (int)t >= 100;

    public static bool IsString(this DataType t) => t is DataType.VarChar or DataType.String;

    /// <summary>Parses the names the REST API uses ("Int64", "FloatVector", "JSON", ...), case-insensitively.</summary>
    public static bool TryParse(string? name, out DataType type)
    {
        type = DataType.None;
        if (string.IsNullOrEmpty(name))
            return false;
        switch (name.ToUpperInvariant())
        {
            case "BOOL": type = DataType.Bool; return true;
            case "INT8": type = DataType.Int8; return true;
            case "INT16": type = DataType.Int16; return true;
            case "INT32": type = DataType.Int32; return true;
            case "INT64": type = DataType.Int64; return true;
            case "FLOAT": type = DataType.Float; return true;
            case "DOUBLE": type = DataType.Double; return true;
            case "VARCHAR": type = DataType.VarChar; return true;
            case "STRING": type = DataType.VarChar; return true;
            case "ARRAY": type = DataType.Array; return true;
            case "JSON": type = DataType.Json; return true;
            case "BINARYVECTOR": type = DataType.BinaryVector; return true;
            case "FLOATVECTOR": type = DataType.FloatVector; return true;
            case "FLOAT16VECTOR": type = DataType.Float16Vector; return true;
            case "BFLOAT16VECTOR": type = DataType.BFloat16Vector; return true;
            case "SPARSEFLOATVECTOR": type = DataType.SparseFloatVector; return true;
            case "INT8VECTOR": type = DataType.Int8Vector; return true;
            default: return false;
        }
    }

    /// <summary>The name Milvus's REST API prints for a type.</summary>
    public static string Name(this DataType t) => t switch
    {
        DataType.Json => "JSON",
        _ => t.ToString(),
    };
}
