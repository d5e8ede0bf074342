namespace VectorAspire.Core.Errors;

/// <summary>
/// An error with a Milvus error code (pkg/util/merr numbering) that the API layers return as {code, message}.
/// The message says what is wrong and what to do about it.
/// </summary>
public class MilvusException(int code, string message, Exception? inner = null) : Exception(message, inner)
{
    public int Code { get; } = code;
}

/// <summary>Milvus error codes used by this server.</summary>
public static class ErrorCodes
{
    public const int Success = 0;
    public const int ServiceNotReady = 1;
    public const int ServiceInternal = 5;
    public const int ServiceQuotaExceeded = 9;
    public const int ServiceUnimplemented = 10;
    public const int CollectionNotFound = 100;
    public const int CollectionNotLoaded = 101;
    public const int CollectionNumLimitExceeded = 102;
    public const int CollectionIllegalSchema = 105;
    public const int CollectionSchemaMismatch = 109;
    public const int PartitionNotFound = 200;
    public const int PartitionNotLoaded = 201;
    public const int IndexNotFound = 700;
    public const int IndexNotSupported = 701;
    public const int IndexDuplicate = 702;
    public const int DatabaseNotFound = 800;
    public const int DatabaseNumLimitExceeded = 801;
    public const int DatabaseInvalidName = 802;
    public const int ParameterInvalid = 1100;
    public const int ParameterMissing = 1101;
    public const int ParameterTooLarge = 1102;
    public const int MetricNotFound = 1200;
    public const int PrivilegeNotAuthenticated = 1400;
    public const int AliasNotFound = 1600;
    public const int AliasCollectionNameConflict = 1601;
    public const int AliasAlreadyExist = 1602;
    public const int FieldNotFound = 1700;
    public const int FieldInvalidName = 1701;
    public const int NeedAuthenticate = 1800;
    public const int MissingRequiredParameters = 1802;
    public const int InvalidInsertData = 1804;
    /// <summary>What Milvus reports for an error that carries no Milvus code.</summary>
    public const int Unexpected = 65535;
}

public static class MilvusErrors
{
    public static MilvusException CollectionNotFound(string name)
        => new(ErrorCodes.CollectionNotFound, $"collection not found[collection={name}]");

    public static MilvusException CollectionNotLoaded(string name)
        => new(ErrorCodes.CollectionNotLoaded, $"collection not loaded[collection={name}]: call load (POST /v2/vectordb/collections/load) before search or query");

    public static MilvusException PartitionNotFound(string name)
        => new(ErrorCodes.PartitionNotFound, $"partition not found[partition={name}]");

    public static MilvusException DatabaseNotFound(string name)
        => new(ErrorCodes.DatabaseNotFound, $"database not found[database={name}]");

    public static MilvusException Invalid(string message)
        => new(ErrorCodes.ParameterInvalid, message);

    public static MilvusException Missing(string parameter)
        => new(ErrorCodes.MissingRequiredParameters, $"missing required parameters: '{parameter}' is required");

    public static MilvusException FieldNotFound(string field, string collection)
        => new(ErrorCodes.FieldNotFound, $"field not found[field={field}] in collection '{collection}'");

    public static MilvusException InvalidInsert(string message)
        => new(ErrorCodes.InvalidInsertData, message);
}
