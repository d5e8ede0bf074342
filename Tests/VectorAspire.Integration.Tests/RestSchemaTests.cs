using System.Text.Json.Nodes;

namespace VectorAspire.Integration.Tests;

public class RestSchemaTests : ServerTests
{
    private static object FullSchema(string name) => new
    {
        collectionName = name,
        schema = new
        {
            autoId = false,
            enableDynamicField = true,
            fields = new object[]
            {
                new { fieldName = "pk", dataType = "VarChar", isPrimary = true, elementTypeParams = new { max_length = 16 } },
                new { fieldName = "vec", dataType = "FloatVector", elementTypeParams = new { dim = 3 } },
                new { fieldName = "flag", dataType = "Bool" },
                new { fieldName = "i8", dataType = "Int8" },
                new { fieldName = "i16", dataType = "Int16" },
                new { fieldName = "i32", dataType = "Int32", nullable = true },
                new { fieldName = "i64", dataType = "Int64", defaultValue = 7 },
                new { fieldName = "f", dataType = "Float" },
                new { fieldName = "d", dataType = "Double" },
                new { fieldName = "title", dataType = "VarChar", elementTypeParams = new { max_length = 8 } },
                new { fieldName = "meta", dataType = "JSON" },
                new { fieldName = "tags", dataType = "Array", elementDataType = "Int64", elementTypeParams = new { max_capacity = 4 } },
            },
        },
        indexParams = new[] { new { fieldName = "vec", metricType = "COSINE", indexType = "AUTOINDEX" } },
    };

    private static object Row(int i) => new Dictionary<string, object?>
    {
        ["pk"] = $"k{i}",
        ["vec"] = new[] { 1f, i, 0f },
        ["flag"] = i % 2 == 0,
        ["i8"] = i,
        ["i16"] = i * 100,
        ["i32"] = i % 3 == 0 ? null : i,
        ["f"] = i / 2f,
        ["d"] = i * 1.5,
        ["title"] = $"t{i}",
        ["meta"] = new { a = new { b = i }, kind = i < 5 ? "low" : "high" },
        ["tags"] = new[] { i, i + 1 },
        ["extra"] = $"dyn{i}",
    };

    [Fact]
    public async Task FullSchemaRoundTripsEveryTypeAndFiltersOnThem()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", FullSchema("all"));
        var described = (await server.OkAsync("collections/describe", new { collectionName = "all" }))!;
        Assert.Equal(12, described["fields"]!.AsArray().Count);
        Assert.True(described["enableDynamicField"]!.GetValue<bool>());
        await server.OkAsync("entities/insert", new { collectionName = "all", data = Enumerable.Range(0, 10).Select(Row).ToArray() });

        var one = (await server.OkAsync("entities/get", new { collectionName = "all", id = "k3" }))!.AsArray().Single()!;
        Assert.Equal(3, one["i8"]!.GetValue<int>());
        Assert.Null(one["i32"]);
        Assert.Equal(7, one["i64"]!.GetValue<long>());
        Assert.Equal("t3", one["title"]!.GetValue<string>());
        Assert.Equal(3, JsonNode.Parse(one["meta"]!.GetValue<string>())!["a"]!["b"]!.GetValue<int>());
        Assert.Equal([3L, 4L], one["tags"]!.AsArray().Select(t => t!.GetValue<long>()));
        Assert.Equal("dyn3", one["extra"]!.GetValue<string>());

        async Task<string[]> Keys(string filter, object? exprParams = null)
        {
            var rows = (await server.OkAsync("entities/query", new { collectionName = "all", filter, exprParams, outputFields = new[] { "pk" }, limit = 100 }))!.AsArray();
            return [.. rows.Select(r => r!["pk"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
        }
        Assert.Equal(["k0", "k2", "k4", "k6", "k8"], await Keys("flag == true"));
        Assert.Equal(["k3", "k4"], await Keys("2 < i8 <= 4"));
        Assert.Equal(["k7", "k8", "k9"], await Keys("meta[\"a\"][\"b\"] > 6"));
        Assert.Equal(["k5", "k6", "k7", "k8", "k9"], await Keys("meta[\"kind\"] == \"high\""));
        Assert.Equal(["k0", "k3", "k6", "k9"], await Keys("i32 is null"));
        Assert.Equal(["k4", "k5"], await Keys("array_contains(tags, 5)"));
        Assert.Equal(["k1"], await Keys("extra == \"dyn1\""));
        Assert.Equal(["k1", "k2"], await Keys("title like \"t%\" and i16 in [100, 200]"));
        Assert.Equal(["k8", "k9"], await Keys("i8 * 2 > {limit}", new { limit = 15 }));
        Assert.Equal(["k0", "k1"], await Keys("f < 1.0"));
    }

    [Fact]
    public async Task PartitionsScopeInsertsSearchesAndStats()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "p", dimension = 2, metricType = "L2" });
        await server.OkAsync("partitions/create", new { collectionName = "p", partitionName = "north" });
        Assert.Equal(["_default", "north"], (await server.OkAsync("partitions/list", new { collectionName = "p" }))!.AsArray().Select(x => x!.GetValue<string>()));
        await server.OkAsync("entities/insert", new { collectionName = "p", partitionName = "north", data = new[] { new { id = 1, vector = new[] { 0f, 0f } } } });
        await server.OkAsync("entities/insert", new { collectionName = "p", data = new[] { new { id = 2, vector = new[] { 0f, 0.1f } } } });
        await server.OkAsync("partitions/load", new { collectionName = "p", partitionNames = new[] { "north" } });
        var hits = (await server.OkAsync("entities/search", new { collectionName = "p", partitionNames = new[] { "north" }, data = new[] { new[] { 0f, 0.1f } }, limit = 5 }))!.AsArray();
        Assert.Equal([1L], hits.Select(h => h!["id"]!.GetValue<long>()));
        Assert.Equal(1, (await server.OkAsync("partitions/get_stats", new { collectionName = "p", partitionName = "north" }))!["rowCount"]!.GetValue<long>());
        Assert.Equal(2, (await server.OkAsync("collections/get_stats", new { collectionName = "p" }))!["rowCount"]!.GetValue<long>());
        Assert.Equal(2, (await server.OkAsync("entities/search", new { collectionName = "p", data = new[] { new[] { 0f, 0.1f } }, limit = 5 }))!.AsArray().Count);
        await server.OkAsync("partitions/release", new { collectionName = "p", partitionNames = new[] { "north" } });
        var (code, _) = await server.FailAsync("entities/search", new { collectionName = "p", partitionNames = new[] { "north" }, data = new[] { new[] { 0f, 0.1f } }, limit = 5 });
        Assert.Equal(201, code);
        await server.OkAsync("collections/release", new { collectionName = "p" });
        await server.OkAsync("partitions/drop", new { collectionName = "p", partitionName = "north" });
        Assert.False((await server.OkAsync("partitions/has", new { collectionName = "p", partitionName = "north" }))!["has"]!.GetValue<bool>());
    }

    [Fact]
    public async Task AliasesResolveAndCanBeRepointed()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "a1", dimension = 2 });
        await server.OkAsync("collections/create", new { collectionName = "a2", dimension = 2 });
        await server.OkAsync("entities/insert", new { collectionName = "a2", data = new[] { new { id = 42, vector = new[] { 1f, 0f } } } });
        await server.OkAsync("aliases/create", new { collectionName = "a1", aliasName = "live" });
        Assert.Equal("a1", (await server.OkAsync("aliases/describe", new { aliasName = "live" }))!["collectionName"]!.GetValue<string>());
        await server.OkAsync("aliases/alter", new { collectionName = "a2", aliasName = "live" });
        var got = (await server.OkAsync("entities/get", new { collectionName = "live", id = 42 }))!.AsArray();
        Assert.Single(got);
        Assert.Equal(["live"], (await server.OkAsync("aliases/list", new { }))!.AsArray().Select(a => a!.GetValue<string>()));
        var (code, _) = await server.FailAsync("collections/drop", new { collectionName = "a2" });
        Assert.Equal(1100, code);
        await server.OkAsync("aliases/drop", new { aliasName = "live" });
        await server.OkAsync("collections/drop", new { collectionName = "a2" });
        Assert.Equal(["a1"], (await server.OkAsync("collections/list", new { }))!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task IndexesCanBeListedDescribedAndDropped()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "ix", dimension = 2, metricType = "IP" });
        Assert.Equal(["vector"], (await server.OkAsync("indexes/list", new { collectionName = "ix" }))!.AsArray().Select(a => a!.GetValue<string>()));
        var d = (await server.OkAsync("indexes/describe", new { collectionName = "ix", indexName = "vector" }))!.AsArray().Single()!;
        Assert.Equal("IP", d["metricType"]!.GetValue<string>());
        Assert.Equal("AUTOINDEX", d["indexType"]!.GetValue<string>());
        var (code, _) = await server.FailAsync("indexes/drop", new { collectionName = "ix", indexName = "vector" });
        Assert.Equal(1100, code);
        await server.OkAsync("collections/release", new { collectionName = "ix" });
        await server.OkAsync("indexes/drop", new { collectionName = "ix", indexName = "vector" });
        (code, _) = await server.FailAsync("collections/load", new { collectionName = "ix" });
        Assert.Equal(700, code);
        await server.OkAsync("indexes/create", new { collectionName = "ix", indexParams = new[] { new { fieldName = "vector", metricType = "L2", indexType = "HNSW", @params = new { M = 16, efConstruction = 200 } } } });
        await server.OkAsync("collections/load", new { collectionName = "ix" });
        (code, _) = await server.FailAsync("indexes/create", new { collectionName = "ix", indexParams = new[] { new { fieldName = "vector", metricType = "L2", indexType = "HNSW", @params = new { M = 1 } } } });
        Assert.Equal(1100, code);
    }
}
