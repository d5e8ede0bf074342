using System.Text.Json.Nodes;

namespace VectorAspire.Integration.Tests;

/// <summary>Databases over REST v2: lifecycle, isolation of collections/aliases/partitions, Milvus's errors, properties, restart.</summary>
public class RestDatabaseTests : ServerTests
{
    private static string[] Names(JsonNode? data) => [.. data!.AsArray().Select(n => n!.GetValue<string>())];

    private static async Task ExpectAsync(TestServer server, string path, object body, int code, string fragment)
    {
        var (actual, message) = await server.FailAsync(path, body);
        Assert.True(actual == code, $"{path}: expected code {code}, got {actual}: {message}");
        Assert.Contains(fragment, message, StringComparison.Ordinal);
    }

    private static async Task<long> CountAsync(TestServer server, string db, string collection)
    {
        var rows = await server.OkAsync("entities/query", new { dbName = db, collectionName = collection, filter = "", outputFields = new[] { "count(*)" }, consistencyLevel = "Strong" });
        return rows!.AsArray().Single()!["count(*)"]!.GetValue<long>();
    }

    private static object Rows(int from, int count, int dim) =>
        Enumerable.Range(from, count).Select(i => new { id = (long)i, vector = Enumerable.Range(0, dim).Select(d => (float)(i + d)).ToArray() }).ToArray();

    [Fact]
    public async Task CreateListDescribeAlterAndDropADatabase()
    {
        await using var server = await StartServerAsync();
        Assert.Equal(["default"], Names(await server.OkAsync("databases/list", new { dbName = "default" })));
        await server.OkAsync("databases/create", new { dbName = "team_a", properties = new Dictionary<string, object> { ["database.max.collections"] = 5 } });
        Assert.Equal(["default", "team_a"], Names(await server.OkAsync("databases/list", new { })));

        var described = (await server.OkAsync("databases/describe", new { dbName = "team_a" }))!;
        Assert.Equal("team_a", described["dbName"]!.GetValue<string>());
        Assert.True(described["dbID"]!.GetValue<long>() > 1, "a created database gets its own id (1 is the default's)");
        var props = described["properties"]!.AsArray();
        Assert.Equal("database.max.collections", Assert.Single(props)!["key"]!.GetValue<string>());
        Assert.Equal("5", props[0]!["value"]!.GetValue<string>());
        Assert.Equal(1, (await server.OkAsync("databases/describe", new { dbName = "default" }))!["dbID"]!.GetValue<long>());

        await server.OkAsync("databases/alter", new { dbName = "team_a", properties = new Dictionary<string, object> { ["database.force.deny.writing"] = true, ["database.replica.number"] = 1 } });
        var keys = (await server.OkAsync("databases/describe", new { dbName = "team_a" }))!["properties"]!.AsArray().Select(p => p!["key"]!.GetValue<string>());
        Assert.Equal(["database.force.deny.writing", "database.max.collections", "database.replica.number"], keys);
        await server.OkAsync("databases/drop_properties", new { dbName = "team_a", propertyKeys = new[] { "database.force.deny.writing", "database.max.collections", "database.replica.number" } });
        Assert.Empty((await server.OkAsync("databases/describe", new { dbName = "team_a" }))!["properties"]!.AsArray());

        await server.OkAsync("databases/drop", new { dbName = "team_a" });
        Assert.Equal(["default"], Names(await server.OkAsync("databases/list", new { })));
        await ExpectAsync(server, "databases/describe", new { dbName = "team_a" }, 800, "database not found[database=team_a]");
    }

    [Fact]
    public async Task TheSameNamesInTwoDatabasesAreDifferentCollectionsAliasesAndPartitions()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("databases/create", new { dbName = "other" });
        await server.OkAsync("collections/create", new { collectionName = "docs", dimension = 4, metricType = "L2" });
        await server.OkAsync("collections/create", new { dbName = "other", collectionName = "docs", dimension = 8, metricType = "L2" });

        var inDefault = (await server.OkAsync("collections/describe", new { collectionName = "docs" }))!;
        var inOther = (await server.OkAsync("collections/describe", new { dbName = "other", collectionName = "docs" }))!;
        Assert.NotEqual(inDefault["collectionID"]!.ToJsonString(), inOther["collectionID"]!.ToJsonString());

        await server.OkAsync("entities/insert", new { collectionName = "docs", data = Rows(0, 3, 4) });
        await server.OkAsync("entities/insert", new { dbName = "other", collectionName = "docs", data = Rows(100, 7, 8) });
        // Each keeps its own schema: 8-dim rows do not fit the default database's 4-dim collection.
        await ExpectAsync(server, "entities/insert", new { collectionName = "docs", data = Rows(200, 1, 8) }, 1804, "dim");
        Assert.Equal(3, await CountAsync(server, "default", "docs"));
        Assert.Equal(7, await CountAsync(server, "other", "docs"));
        var hits = (await server.OkAsync("entities/search", new { dbName = "other", collectionName = "docs", data = new[] { new float[] { 100, 101, 102, 103, 104, 105, 106, 107 } }, limit = 1, consistencyLevel = "Strong" }))!;
        Assert.Equal(100, hits.AsArray().Single()!["id"]!.GetValue<long>());

        await server.OkAsync("aliases/create", new { dbName = "other", aliasName = "latest", collectionName = "docs" });
        Assert.Equal(["latest"], Names(await server.OkAsync("aliases/list", new { dbName = "other" })));
        Assert.Empty(Names(await server.OkAsync("aliases/list", new { })));
        await server.OkAsync("aliases/create", new { aliasName = "latest", collectionName = "docs" });

        await server.OkAsync("partitions/create", new { dbName = "other", collectionName = "docs", partitionName = "p1" });
        Assert.Equal(["_default", "p1"], Names(await server.OkAsync("partitions/list", new { dbName = "other", collectionName = "docs" })));
        Assert.Equal(["_default"], Names(await server.OkAsync("partitions/list", new { collectionName = "docs" })));

        Assert.Equal(["docs"], Names(await server.OkAsync("collections/list", new { dbName = "other" })));
        await server.OkAsync("aliases/drop", new { dbName = "other", aliasName = "latest" });
        await server.OkAsync("collections/drop", new { dbName = "other", collectionName = "docs" });
        Assert.Empty(Names(await server.OkAsync("collections/list", new { dbName = "other" })));
        Assert.Equal(3, await CountAsync(server, "default", "docs"));
        await ExpectAsync(server, "collections/describe", new { dbName = "other", collectionName = "docs" }, 100, "collection not found");
    }

    [Fact]
    public async Task DatabaseErrorsAreMilvuss()
    {
        await using var server = await StartServerAsync();
        await ExpectAsync(server, "databases/drop", new { dbName = "default" }, 1100, "can not drop default database");
        await ExpectAsync(server, "databases/drop", new { dbName = "nope" }, 800, "database not found[database=nope]");
        await ExpectAsync(server, "databases/create", new { dbName = "1bad" }, 802, "invalid database name");
        await ExpectAsync(server, "databases/create", new { dbName = "has-dash" }, 802, "invalid database name");
        await ExpectAsync(server, "databases/create", new { dbName = new string('a', 65) }, 802, "invalid database name");
        await ExpectAsync(server, "databases/create", new { }, 1802, "dbName");
        await server.OkAsync("databases/create", new { dbName = "busy" });
        await ExpectAsync(server, "databases/create", new { dbName = "busy" }, 65535, "database already exist: busy");
        await server.OkAsync("collections/create", new { dbName = "busy", collectionName = "c", dimension = 4 });
        await ExpectAsync(server, "databases/drop", new { dbName = "busy" }, 1100, "database:busy not empty, must drop all collections before drop database");
        await ExpectAsync(server, "collections/create", new { dbName = "nope", collectionName = "c", dimension = 4 }, 800, "database not found[database=nope]");
        await ExpectAsync(server, "entities/insert", new { dbName = "nope", collectionName = "c", data = Rows(0, 1, 4) }, 800, "database not found");
        await ExpectAsync(server, "databases/create", new { dbName = "props", properties = new Dictionary<string, object> { ["database.diskQuota.mb"] = 10 } }, 1100, "not supported");
        await ExpectAsync(server, "databases/create", new { dbName = "props", properties = new Dictionary<string, object> { ["database.replica.number"] = 2 } }, 1100, "database.replica.number must be 1");
        await ExpectAsync(server, "databases/create", new { dbName = "props", properties = new Dictionary<string, object> { ["database.max.collections"] = "many" } }, 1100, "non-negative integer");
        await ExpectAsync(server, "databases/alter", new { dbName = "busy", properties = new Dictionary<string, object> { ["database.resource_groups"] = "rg1" } }, 1100, "__default_resource_group");
        Assert.Equal(["default", "busy"], Names(await server.OkAsync("databases/list", new { })));
    }

    [Fact]
    public async Task MaxCollectionsAndForceDenyAreHonoured()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("databases/create", new { dbName = "limited", properties = new Dictionary<string, object> { ["database.max.collections"] = 1 } });
        await server.OkAsync("collections/create", new { dbName = "limited", collectionName = "one", dimension = 4, metricType = "L2" });
        await ExpectAsync(server, "collections/create", new { dbName = "limited", collectionName = "two", dimension = 4 }, 102, "exceeded the limit number of collections[dbName=limited][limit=1]");
        // The limit is per database: default is not affected.
        await server.OkAsync("collections/create", new { collectionName = "two", dimension = 4 });
        await ExpectAsync(server, "collections/rename", new { collectionName = "two", newCollectionName = "two", newDbName = "limited" }, 102, "limit=1");

        await server.OkAsync("entities/insert", new { dbName = "limited", collectionName = "one", data = Rows(0, 2, 4) });
        await server.OkAsync("databases/alter", new { dbName = "limited", properties = new Dictionary<string, object> { ["database.force.deny.writing"] = true } });
        await ExpectAsync(server, "entities/insert", new { dbName = "limited", collectionName = "one", data = Rows(5, 1, 4) }, 9, "database.force.deny.writing=true");
        await ExpectAsync(server, "entities/upsert", new { dbName = "limited", collectionName = "one", data = Rows(0, 1, 4) }, 9, "quota exceeded");
        await ExpectAsync(server, "entities/delete", new { dbName = "limited", collectionName = "one", filter = "id >= 0" }, 9, "quota exceeded");
        Assert.Equal(2, await CountAsync(server, "limited", "one"));
        // Another database keeps writing.
        await server.OkAsync("entities/insert", new { collectionName = "two", data = Rows(0, 1, 4) });

        await server.OkAsync("databases/alter", new { dbName = "limited", properties = new Dictionary<string, object> { ["database.force.deny.reading"] = "true" } });
        await ExpectAsync(server, "entities/query", new { dbName = "limited", collectionName = "one", filter = "id >= 0" }, 9, "database.force.deny.reading=true");
        await ExpectAsync(server, "entities/search", new { dbName = "limited", collectionName = "one", data = new[] { new float[] { 0, 1, 2, 3 } }, limit = 1 }, 9, "quota exceeded");
        await ExpectAsync(server, "entities/get", new { dbName = "limited", collectionName = "one", id = new[] { 0 } }, 9, "quota exceeded");

        await server.OkAsync("databases/drop_properties", new { dbName = "limited", propertyKeys = new[] { "database.force.deny.writing", "database.force.deny.reading" } });
        await server.OkAsync("entities/insert", new { dbName = "limited", collectionName = "one", data = Rows(5, 1, 4) });
        Assert.Equal(3, await CountAsync(server, "limited", "one"));
    }

    [Fact]
    public async Task RenameMovesACollectionAcrossDatabases()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("databases/create", new { dbName = "src" });
        await server.OkAsync("collections/create", new { dbName = "src", collectionName = "c", dimension = 4, metricType = "L2" });
        await server.OkAsync("entities/insert", new { dbName = "src", collectionName = "c", data = Rows(0, 4, 4) });
        await ExpectAsync(server, "collections/rename", new { dbName = "src", collectionName = "c", newCollectionName = "c", newDbName = "nope" }, 800, "database not found[database=nope]");

        await server.OkAsync("collections/rename", new { dbName = "src", collectionName = "c", newCollectionName = "moved", newDbName = "default" });
        Assert.Empty(Names(await server.OkAsync("collections/list", new { dbName = "src" })));
        Assert.Contains("moved", Names(await server.OkAsync("collections/list", new { })));
        Assert.Equal(4, await CountAsync(server, "default", "moved"));
        // The source database is empty now, so it can go.
        await server.OkAsync("databases/drop", new { dbName = "src" });
    }

    [Fact]
    public async Task DatabasesTheirPropertiesAndCollectionsSurviveARestart()
    {
        string dir = TempDir.Create();
        long id;
        await using (var server = await StartServerAsync(dir))
        {
            await server.OkAsync("databases/create", new { dbName = "kept", properties = new Dictionary<string, object> { ["database.max.collections"] = 1 } });
            await server.OkAsync("databases/create", new { dbName = "gone" });
            await server.OkAsync("databases/drop", new { dbName = "gone" });
            await server.OkAsync("collections/create", new { dbName = "kept", collectionName = "c", dimension = 4, metricType = "L2" });
            await server.OkAsync("entities/insert", new { dbName = "kept", collectionName = "c", data = Rows(0, 5, 4) });
            id = (await server.OkAsync("databases/describe", new { dbName = "kept" }))!["dbID"]!.GetValue<long>();
        }
        await using (var server = await StartServerAsync(dir))
        {
            Assert.Equal(["default", "kept"], Names(await server.OkAsync("databases/list", new { })));
            var described = (await server.OkAsync("databases/describe", new { dbName = "kept" }))!;
            Assert.Equal(id, described["dbID"]!.GetValue<long>());
            Assert.Equal("1", described["properties"]!.AsArray().Single()!["value"]!.GetValue<string>());
            Assert.Equal(["c"], Names(await server.OkAsync("collections/list", new { dbName = "kept" })));
            Assert.Empty(Names(await server.OkAsync("collections/list", new { })));
            Assert.Equal(5, await CountAsync(server, "kept", "c"));
            await ExpectAsync(server, "collections/create", new { dbName = "kept", collectionName = "d", dimension = 4 }, 102, "limit=1");
        }
    }
}
