using System.Text.Json;
using VectorAspire.Core.Errors;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private void RegisterDatabases()
    {
        On("databases/create", async (r, w, ct) =>
        {
            await _proxy.Coordinator.CreateDatabaseAsync(r.RequiredString("dbName"), Properties(r, "properties"), ct);
            WriteEmpty(w);
        });
        On("databases/drop", async (r, w, ct) =>
        {
            await _proxy.Coordinator.DropDatabaseAsync(r.RequiredString("dbName"), ct);
            WriteEmpty(w);
        });
        On("databases/list", async (_, w, ct) =>
        {
            // The SDK adds its configured dbName to every body; listing ignores it.
            var list = await _proxy.Coordinator.ListDatabasesAsync(ct);
            w.WriteStartArray("data");
            foreach (var db in list)
                w.WriteStringValue(db.Name);
            w.WriteEndArray();
        });
        On("databases/describe", async (r, w, ct) =>
        {
            string name = r.RequiredString("dbName");
            var db = await _proxy.Coordinator.FindDatabaseAsync(name, ct) ?? throw MilvusErrors.DatabaseNotFound(name);
            w.WriteStartObject("data");
            w.WriteString("dbName", db.Name);
            w.WriteNumber("dbID", db.DbId);
            w.WriteNumber("createdTime", (long)(db.CreatedTimestamp >> 18));
            w.WriteStartArray("properties");
            foreach (var (k, v) in db.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
                WriteKv(w, k, v);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        On("databases/alter", async (r, w, ct) =>
        {
            var properties = Properties(r, "properties");
            if (properties.Count == 0)
                throw MilvusErrors.Missing("properties");
            await _proxy.Coordinator.AlterDatabaseAsync(r.RequiredString("dbName"), null, properties, [], ct);
            WriteEmpty(w);
        });
        On("databases/drop_properties", async (r, w, ct) =>
        {
            var keys = r.OptStringList("propertyKeys") ?? throw MilvusErrors.Missing("propertyKeys");
            await _proxy.Coordinator.AlterDatabaseAsync(r.RequiredString("dbName"), null, new Dictionary<string, string>(), keys, ct);
            WriteEmpty(w);
        });
    }

    /// <summary>A properties object with scalar values, as strings (Milvus stores every property as a string).</summary>
    private static Dictionary<string, string> Properties(RestRequest r, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in r.OptObjectMap(name) ?? new Dictionary<string, JsonElement>())
        {
            map[key] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw MilvusErrors.Invalid($"property '{key}' must be a string, a number or a boolean"),
            };
        }
        return map;
    }
}
