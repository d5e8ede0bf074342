using VectorAspire.Core.Errors;
using VectorAspire.Core.Rpc;
using VectorAspire.Protos.Milvus;

namespace VectorAspire.Proxy.Grpc;

public sealed partial class MilvusGrpcService
{
    private void RegisterAliases(IGrpcMethodRegistry r)
    {
        MapStatus(r, "CreateAlias", CreateAliasRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.CreateAliasAsync(Db(req.DbName, ctx), Required(req.Alias, "alias"), Required(req.CollectionName, "collection_name"), ctx.CancellationToken));
        MapStatus(r, "AlterAlias", AlterAliasRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.AlterAliasAsync(Db(req.DbName, ctx), Required(req.Alias, "alias"), Required(req.CollectionName, "collection_name"), ctx.CancellationToken));
        MapStatus(r, "DropAlias", DropAliasRequest.Parser, (req, ctx) =>
            _proxy.Coordinator.DropAliasAsync(Db(req.DbName, ctx), Required(req.Alias, "alias"), ctx.CancellationToken));
        Map(r, "DescribeAlias", DescribeAliasRequest.Parser, async (req, ctx) =>
        {
            string db = Db(req.DbName, ctx);
            string alias = Required(req.Alias, "alias");
            var info = await _proxy.Coordinator.DescribeAliasAsync(db, alias, ctx.CancellationToken)
                ?? throw new MilvusException(ErrorCodes.AliasNotFound, $"alias not found[database={db}][alias={alias}]");
            var target = await _proxy.Coordinator.GetCollectionAsync(info.CollectionId, ctx.CancellationToken);
            return new DescribeAliasResponse { Status = Ok(), DbName = info.DbName, Alias = info.Alias, Collection = target?.Name ?? "" };
        }, (m, s) => m.Status = s);
        Map(r, "ListAliases", ListAliasesRequest.Parser, async (req, ctx) =>
        {
            string db = Db(req.DbName, ctx);
            var list = await _proxy.Coordinator.ListAliasesAsync(db, string.IsNullOrEmpty(req.CollectionName) ? null : req.CollectionName, ctx.CancellationToken);
            var resp = new ListAliasesResponse { Status = Ok(), DbName = db, CollectionName = req.CollectionName };
            foreach (var a in list)
                resp.Aliases.Add(a.Alias);
            return resp;
        }, (m, s) => m.Status = s);
    }

    private static string Required(string? value, string name)
        => string.IsNullOrEmpty(value) ? throw MilvusErrors.Missing(name) : value;
}
