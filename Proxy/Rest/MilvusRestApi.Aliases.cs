using VectorAspire.Core.Errors;

namespace VectorAspire.Proxy.Rest;

public sealed partial class MilvusRestApi
{
    private void RegisterAliases()
    {
        On("aliases/create", async (r, w, ct) =>
        {
            await _proxy.Coordinator.CreateAliasAsync(r.Db, r.RequiredString("aliasName"), r.RequiredString("collectionName"), ct);
            WriteEmpty(w);
        });
        On("aliases/alter", async (r, w, ct) =>
        {
            await _proxy.Coordinator.AlterAliasAsync(r.Db, r.RequiredString("aliasName"), r.RequiredString("collectionName"), ct);
            WriteEmpty(w);
        });
        On("aliases/drop", async (r, w, ct) =>
        {
            await _proxy.Coordinator.DropAliasAsync(r.Db, r.RequiredString("aliasName"), ct);
            WriteEmpty(w);
        });
        On("aliases/list", async (r, w, ct) =>
        {
            var list = await _proxy.Coordinator.ListAliasesAsync(r.Db, r.OptString("collectionName"), ct);
            w.WriteStartArray("data");
            foreach (var a in list)
                w.WriteStringValue(a.Alias);
            w.WriteEndArray();
        });
        On("aliases/describe", async (r, w, ct) =>
        {
            string alias = r.RequiredString("aliasName");
            var info = await _proxy.Coordinator.DescribeAliasAsync(r.Db, alias, ct)
                ?? throw new MilvusException(ErrorCodes.AliasNotFound, $"alias not found[database={r.Db}][alias={alias}]");
            var target = await _proxy.Coordinator.GetCollectionAsync(info.CollectionId, ct);
            w.WriteStartObject("data");
            w.WriteString("dbName", info.DbName);
            w.WriteString("collectionName", target?.Name ?? "");
            w.WriteString("aliasName", info.Alias);
            w.WriteEndObject();
        });
    }
}
