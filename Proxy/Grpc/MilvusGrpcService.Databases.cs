using System.Globalization;
using Google.Protobuf.Collections;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private void RegisterDatabases(IGrpcMethodRegistry r)
    {
        MapStatus(r, "CreateDatabase", CreateDatabaseRequest.Parser, async (req, ctx) =>
            await _proxy.Coordinator.CreateDatabaseAsync(req.DbName, ToMap(req.Properties), ctx.CancellationToken));
        MapStatus(r, "DropDatabase", DropDatabaseRequest.Parser, async (req, ctx) =>
            await _proxy.Coordinator.DropDatabaseAsync(RequiredDbName(req.DbName), ctx.CancellationToken));
        Map(r, "ListDatabases", ListDatabasesRequest.Parser, async (_, ctx) =>
        {
            var resp = new ListDatabasesResponse { Status = Ok() };
            foreach (var db in await _proxy.Coordinator.ListDatabasesAsync(ctx.CancellationToken))
            {
                resp.DbNames.Add(db.Name);
                resp.CreatedTimestamp.Add(db.CreatedTimestamp);
                resp.DbIds.Add(db.DbId);
            }
            return resp;
        }, (m, s) => m.Status = s);
        Map(r, "DescribeDatabase", DescribeDatabaseRequest.Parser, async (req, ctx) =>
        {
            // Milvus describes the request's database; an empty name means the connection's database.
            string name = Db(req.DbName, ctx);
            var db = await _proxy.Coordinator.FindDatabaseAsync(name, ctx.CancellationToken) ?? throw MilvusErrors.DatabaseNotFound(name);
            var resp = new DescribeDatabaseResponse { Status = Ok(), DbName = db.Name, DbID = db.DbId, CreatedTimestamp = db.CreatedTimestamp };
            foreach (var (k, v) in db.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
                resp.Properties.Add(new PC.KeyValuePair { Key = k, Value = v });
            return resp;
        }, (m, s) => m.Status = s);
        MapStatus(r, "AlterDatabase", AlterDatabaseRequest.Parser, async (req, ctx) =>
        {
            long? dbId = null;
            if (!string.IsNullOrEmpty(req.DbId))
            {
                dbId = long.TryParse(req.DbId, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id)
                    ? id : throw MilvusErrors.Invalid($"db_id must be an integer, got '{req.DbId}'");
            }
            await _proxy.Coordinator.AlterDatabaseAsync(RequiredDbName(req.DbName), dbId, ToMap(req.Properties), [.. req.DeleteKeys], ctx.CancellationToken);
        });
    }

    private static string RequiredDbName(string? name)
        => string.IsNullOrEmpty(name) ? throw new MilvusException(ErrorCodes.DatabaseInvalidName, "invalid database name[database=]: db_name is required") : name;

    private static Dictionary<string, string> ToMap(RepeatedField<PC.KeyValuePair> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in pairs)
            map[kv.Key] = kv.Value;
        return map;
    }
}
