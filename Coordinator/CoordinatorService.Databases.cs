using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Meta;

namespace VectorAspire.Coordinator;

/// <summary>
/// Databases: namespaces for collections and aliases (the catalog keys every collection and alias by its database
/// name already), each with a meta-store record holding its id, creation timestamp and properties. The default
/// database always exists and cannot be dropped.
/// </summary>
public sealed partial class CoordinatorService
{
    /// <summary>Milvus gives the default database id 1.</summary>
    public const long DefaultDbId = 1;
    private const string DatabasePrefix = "catalog/databases/";
    private const int MaxDatabaseNameLength = 64;

    private static string DatabaseKey(string name) => DatabasePrefix + name;

    /// <summary>Loads the database records; creates the default one on first start (and on data from before databases existed).</summary>
    private async Task LoadDatabasesAsync(CancellationToken cancellationToken)
    {
        _databases.Clear();
        foreach (var kv in await _store.ScanPrefixAsync(DatabasePrefix, cancellationToken))
        {
            var db = CatalogJson.ReadDatabase(kv.Value);
            _databases[db.Name] = db;
        }
        if (_databases.ContainsKey(DefaultDb))
            return;
        var info = new DatabaseInfo { DbId = DefaultDbId, Name = DefaultDb, CreatedTimestamp = await _tso.AllocateAsync(1, cancellationToken) };
        var result = await _store.TxnAsync([TxnCompare.KeyAbsent(DatabaseKey(DefaultDb))], [TxnOp.Put(DatabaseKey(DefaultDb), CatalogJson.Serialize(info))], [], cancellationToken);
        if (!result.Succeeded)
        {
            // Another coordinator instance wrote it first: take its record.
            var stored = await _store.GetAsync(DatabaseKey(DefaultDb), cancellationToken);
            info = stored is { } kv ? CatalogJson.ReadDatabase(kv.Value) : info;
        }
        _databases[DefaultDb] = info;
    }

    public async ValueTask<DatabaseInfo> CreateDatabaseAsync(string name, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken)
    {
        RequireStarted();
        ValidateDatabaseName(name);
        var props = DatabaseProperties.Validate(properties);
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            lock (_collections)
            {
                if (_databases.ContainsKey(name))
                    throw new MilvusException(ErrorCodes.Unexpected, $"database already exist: {name}");
                if (_databases.Count >= _options.MaxDatabases)
                    throw new MilvusException(ErrorCodes.DatabaseNumLimitExceeded, $"exceeded the limit number of database[limit={_options.MaxDatabases}]: drop a database you no longer need first");
            }
            long id = await _ids.AllocateAsync(1, cancellationToken);
            if (id == DefaultDbId) // the id sequence starts at 1, which is the default database's
                id = await _ids.AllocateAsync(1, cancellationToken);
            var info = new DatabaseInfo
            {
                DbId = id,
                Name = name,
                CreatedTimestamp = await _tso.AllocateAsync(1, cancellationToken),
                Properties = props,
            };
            var result = await _store.TxnAsync([TxnCompare.KeyAbsent(DatabaseKey(name))], [TxnOp.Put(DatabaseKey(name), CatalogJson.Serialize(info))], [], cancellationToken);
            if (!result.Succeeded)
                throw new MilvusException(ErrorCodes.Unexpected, $"database already exist: {name}");
            lock (_collections)
                _databases[name] = info;
            return info;
        }
        finally
        {
            _ddl.Release();
        }
    }

    public async ValueTask DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        RequireStarted();
        string db = string.IsNullOrEmpty(name) ? DefaultDb : name;
        if (db == DefaultDb)
            throw MilvusErrors.Invalid("can not drop default database: invalid parameter");
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            NormalizeDb(db);
            lock (_collections)
            {
                if (_collections.Values.Any(c => c.DbName == db))
                    throw MilvusErrors.Invalid($"database:{db} not empty, must drop all collections before drop database: invalid parameter");
            }
            await _store.DeleteAsync(DatabaseKey(db), cancellationToken);
            lock (_collections)
                _databases.Remove(db);
        }
        finally
        {
            _ddl.Release();
        }
    }

    public ValueTask<IReadOnlyList<DatabaseInfo>> ListDatabasesAsync(CancellationToken cancellationToken)
    {
        RequireStarted();
        lock (_collections)
        {
            IReadOnlyList<DatabaseInfo> list = [.. _databases.Values.OrderBy(d => d.CreatedTimestamp).ThenBy(d => d.Name, StringComparer.Ordinal)];
            return ValueTask.FromResult(list);
        }
    }

    public ValueTask<DatabaseInfo?> FindDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        RequireStarted();
        lock (_collections)
            return ValueTask.FromResult(_databases.GetValueOrDefault(string.IsNullOrEmpty(name) ? DefaultDb : name));
    }

    public async ValueTask<DatabaseInfo> AlterDatabaseAsync(string name, long? dbId, IReadOnlyDictionary<string, string> properties, IReadOnlyList<string> deleteKeys,
        CancellationToken cancellationToken)
    {
        RequireStarted();
        if (properties.Count == 0 && deleteKeys.Count == 0)
            throw MilvusErrors.Invalid("alter database needs properties to set or property keys to delete");
        if (properties.Count > 0 && deleteKeys.Count > 0)
            throw MilvusErrors.Invalid("alter database can set properties or delete property keys, not both in one request");
        var set = DatabaseProperties.Validate(properties);
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            string db = NormalizeDb(name);
            DatabaseInfo current;
            lock (_collections)
                current = _databases[db];
            if (dbId is long id && id != current.DbId)
                throw new MilvusException(ErrorCodes.DatabaseNotFound, $"database not found[database={db}][dbID={id}]: database '{db}' has id {current.DbId}");
            var merged = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal);
            foreach (var (k, v) in set)
                merged[k] = v;
            foreach (var k in deleteKeys)
                merged.Remove(k);
            var updated = current with { Properties = merged };
            await _store.PutAsync(DatabaseKey(db), CatalogJson.Serialize(updated), 0, cancellationToken);
            lock (_collections)
                _databases[db] = updated;
            return updated;
        }
        finally
        {
            _ddl.Release();
        }
    }

    /// <summary>Milvus's rule: 1..64 characters, a letter or underscore first, then letters, digits and underscores.</summary>
    private static void ValidateDatabaseName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw new MilvusException(ErrorCodes.DatabaseInvalidName, "invalid database name[database=]: the name must not be empty");
        if (name.Length > MaxDatabaseNameLength)
            throw new MilvusException(ErrorCodes.DatabaseInvalidName, $"invalid database name[database={name}]: the length of a database name must be at most {MaxDatabaseNameLength} characters");
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_'))
            throw new MilvusException(ErrorCodes.DatabaseInvalidName, $"invalid database name[database={name}]: the first character of a database name must be an underscore or a letter");
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new MilvusException(ErrorCodes.DatabaseInvalidName, $"invalid database name[database={name}]: a database name can only contain numbers, letters and underscores");
        }
    }

    /// <summary>Enforces the database's database.max.collections (called under the DDL lock).</summary>
    private void RequireRoomForCollection(string db)
    {
        lock (_collections)
        {
            if (!_databases.TryGetValue(db, out var info) || DatabaseProperties.GetMaxCollections(info) is not int max)
                return;
            int count = _collections.Values.Count(c => c.DbName == db);
            if (count >= max)
                throw new MilvusException(ErrorCodes.CollectionNumLimitExceeded,
                    $"exceeded the limit number of collections[dbName={db}][limit={max}]: drop a collection or raise {DatabaseProperties.MaxCollections} of the database");
        }
    }
}
