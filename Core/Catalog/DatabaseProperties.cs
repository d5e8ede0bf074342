using System.Globalization;
using VectorAspire.Core.Errors;

namespace VectorAspire.Core.Catalog;

/// <summary>
/// The database properties Milvus defines that this server honours, under Milvus's names. Any other key is refused
/// with an error rather than stored and silently ignored, so a client never believes a setting took effect.
/// </summary>
public static class DatabaseProperties
{
    public const string MaxCollections = "database.max.collections";
    public const string ForceDenyWriting = "database.force.deny.writing";
    public const string ForceDenyReading = "database.force.deny.reading";
    /// <summary>Accepted only as 1: a loaded collection has one replica here.</summary>
    public const string ReplicaNumber = "database.replica.number";
    /// <summary>Accepted only as the default resource group: there are no others here.</summary>
    public const string ResourceGroups = "database.resource_groups";
    public const string DefaultResourceGroup = "__default_resource_group";

    private static readonly string[] s_supported = [MaxCollections, ForceDenyWriting, ForceDenyReading, ReplicaNumber, ResourceGroups];

    /// <summary>Checks and normalizes properties to set; throws a Milvus parameter error for a key or value we do not honour.</summary>
    public static Dictionary<string, string> Validate(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, raw) in properties)
        {
            string value = raw?.Trim() ?? "";
            result[key] = key switch
            {
                MaxCollections => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int max) && max >= 0
                    ? max.ToString(CultureInfo.InvariantCulture)
                    : throw Invalid($"{MaxCollections} must be a non-negative integer, got '{raw}'"),
                ForceDenyWriting or ForceDenyReading => bool.TryParse(value, out bool deny)
                    ? (deny ? "true" : "false")
                    : throw Invalid($"{key} must be true or false, got '{raw}'"),
                ReplicaNumber => value == "1"
                    ? value
                    : throw Invalid($"{ReplicaNumber} must be 1: VectorAspire keeps one replica of each loaded collection (got '{raw}')"),
                ResourceGroups => value == DefaultResourceGroup
                    ? value
                    : throw Invalid($"{ResourceGroups} must be {DefaultResourceGroup}: VectorAspire has no other resource group (got '{raw}')"),
                _ => throw Invalid($"database property '{key}' is not supported by VectorAspire; supported properties: {string.Join(", ", s_supported)}"),
            };
        }
        return result;
    }

    /// <summary>The collection limit of the database, or null when unlimited.</summary>
    public static int? GetMaxCollections(DatabaseInfo db)
        => db.Properties.TryGetValue(MaxCollections, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int max) ? max : null;

    public static bool DeniesWriting(DatabaseInfo db) => IsTrue(db, ForceDenyWriting);

    public static bool DeniesReading(DatabaseInfo db) => IsTrue(db, ForceDenyReading);

    private static bool IsTrue(DatabaseInfo db, string key)
        => db.Properties.TryGetValue(key, out var v) && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);

    private static MilvusException Invalid(string message) => new(ErrorCodes.ParameterInvalid, message);
}
