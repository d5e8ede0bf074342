using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Schema;

namespace VectorAspire.Coordinator;

public sealed partial class CoordinatorService
{
    public async ValueTask CreateAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken)
    {
        string db = NormalizeDb(dbName);
        SchemaValidator.ValidateName(alias, "alias");
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var target = FindByName(db, collection) ?? throw MilvusErrors.CollectionNotFound(collection);
            if (FindByName(db, alias) is not null)
                throw new MilvusException(ErrorCodes.AliasCollectionNameConflict, $"alias '{alias}' conflicts with an existing collection name");
            if (_aliases.ContainsKey((db, alias)))
                throw new MilvusException(ErrorCodes.AliasAlreadyExist, $"alias '{alias}' already exists; use alter to point it at another collection");
            var info = new AliasInfo(db, alias, target.CollectionId);
            await _store.PutAsync(AliasKey(db, alias), CatalogJson.Serialize(info), 0, cancellationToken);
            lock (_collections)
                _aliases[(db, alias)] = info;
        }
        finally
        {
            _ddl.Release();
        }
    }

    public async ValueTask AlterAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken)
    {
        string db = NormalizeDb(dbName);
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            if (!_aliases.ContainsKey((db, alias)))
                throw new MilvusException(ErrorCodes.AliasNotFound, $"alias not found[database={db}][alias={alias}]");
            var target = FindByName(db, collection) ?? throw MilvusErrors.CollectionNotFound(collection);
            var info = new AliasInfo(db, alias, target.CollectionId);
            await _store.PutAsync(AliasKey(db, alias), CatalogJson.Serialize(info), 0, cancellationToken);
            lock (_collections)
                _aliases[(db, alias)] = info;
        }
        finally
        {
            _ddl.Release();
        }
    }

    public async ValueTask DropAliasAsync(string dbName, string alias, CancellationToken cancellationToken)
    {
        string db = NormalizeDb(dbName);
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            if (!_aliases.ContainsKey((db, alias)))
                throw new MilvusException(ErrorCodes.AliasNotFound, $"alias not found[database={db}][alias={alias}]");
            await _store.DeleteAsync(AliasKey(db, alias), cancellationToken);
            lock (_collections)
                _aliases.Remove((db, alias));
        }
        finally
        {
            _ddl.Release();
        }
    }

    public ValueTask<AliasInfo?> DescribeAliasAsync(string dbName, string alias, CancellationToken cancellationToken)
    {
        string db = NormalizeDb(dbName);
        lock (_collections)
            return ValueTask.FromResult(_aliases.GetValueOrDefault((db, alias)));
    }

    public ValueTask<IReadOnlyList<AliasInfo>> ListAliasesAsync(string dbName, string? collection, CancellationToken cancellationToken)
    {
        string db = NormalizeDb(dbName);
        long? id = null;
        if (!string.IsNullOrEmpty(collection))
            id = (FindByName(db, collection) ?? throw MilvusErrors.CollectionNotFound(collection)).CollectionId;
        lock (_collections)
        {
            IReadOnlyList<AliasInfo> list = [.. _aliases.Values.Where(a => a.DbName == db && (id is null || a.CollectionId == id)).OrderBy(a => a.Alias, StringComparer.Ordinal)];
            return ValueTask.FromResult(list);
        }
    }

    private static string AliasKey(string db, string alias) => $"{AliasPrefix}{db}/{alias}";
}
