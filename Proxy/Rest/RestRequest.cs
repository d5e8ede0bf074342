using System.Globalization;
using System.Text.Json;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;

namespace VectorAspire.Proxy.Rest;

/// <summary>The parsed body of a REST v2 call with typed accessors that fail with Milvus-shaped errors.</summary>
public sealed class RestRequest(JsonElement body)
{
    public JsonElement Body { get; } = body;

    public string Db => OptString("dbName") is { Length: > 0 } db ? db : "default";

    public bool Has(string name) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name)
        => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string RequiredString(string name)
        => OptString(name) is { Length: > 0 } s ? s : throw MilvusErrors.Missing(name);

    public string? OptString(string name)
    {
        if (Get(name) is not { } v)
            return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw TypeError(name, "a string");
    }

    public int? OptInt(string name)
    {
        if (Get(name) is not { } v)
            return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            return i;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i))
            return i;
        throw TypeError(name, "an integer");
    }

    public bool? OptBool(string name)
    {
        if (Get(name) is not { } v)
            return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out bool b) => b,
            _ => throw TypeError(name, "a boolean"),
        };
    }

    public IReadOnlyList<string>? OptStringList(string name)
    {
        if (Get(name) is not { } v)
            return null;
        if (v.ValueKind != JsonValueKind.Array)
            throw TypeError(name, "an array of strings");
        var list = new List<string>(v.GetArrayLength());
        foreach (var e in v.EnumerateArray())
            list.Add(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw TypeError(name, "an array of strings"));
        return list;
    }

    public IReadOnlyDictionary<string, JsonElement>? OptObjectMap(string name)
    {
        if (Get(name) is not { } v)
            return null;
        if (v.ValueKind != JsonValueKind.Object)
            throw TypeError(name, "an object");
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
            map[p.Name] = p.Value.Clone();
        return map;
    }

    public ConsistencyLevel? OptConsistency(string name = "consistencyLevel")
    {
        string? s = OptString(name);
        if (string.IsNullOrEmpty(s))
            return null;
        return ParseConsistency(s);
    }

    public static ConsistencyLevel ParseConsistency(string s) => s.ToUpperInvariant() switch
    {
        "STRONG" => ConsistencyLevel.Strong,
        "BOUNDED" => ConsistencyLevel.Bounded,
        "SESSION" => ConsistencyLevel.Session,
        "EVENTUALLY" => ConsistencyLevel.Eventually,
        "CUSTOMIZED" => throw new MilvusException(ErrorCodes.ParameterInvalid, "consistency level Customized is not supported; use Strong, Bounded, Session or Eventually"),
        _ => throw new MilvusException(ErrorCodes.ParameterInvalid, $"invalid consistency level '{s}': use Strong, Bounded, Session or Eventually"),
    };

    internal static MilvusException TypeError(string name, string expected)
        => new(ErrorCodes.ParameterInvalid, $"invalid parameter '{name}': it must be {expected}");
}
