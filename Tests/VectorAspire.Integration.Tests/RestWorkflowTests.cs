using System.Text.Json.Nodes;

namespace VectorAspire.Integration.Tests;

public class RestWorkflowTests : ServerTests
{
    [Fact]
    public async Task QuickSetupSupportsTheWholeBasicWorkflow()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "quick", dimension = 4, metricType = "L2" });
        Assert.True((await server.OkAsync("collections/has", new { collectionName = "quick" }))!["has"]!.GetValue<bool>());
        Assert.Equal("LoadStateLoaded", (await server.OkAsync("collections/get_load_state", new { collectionName = "quick" }))!["loadState"]!.GetValue<string>());

        var rows = Enumerable.Range(1, 10).Select(i => new Dictionary<string, object>
        {
            ["id"] = i,
            ["vector"] = new[] { i, 0f, 0f, 0f },
            ["color"] = i % 2 == 0 ? "red" : "blue",
        }).ToArray();
        var inserted = await server.OkAsync("entities/insert", new { collectionName = "quick", data = rows });
        Assert.Equal(10, inserted!["insertCount"]!.GetValue<int>());

        var hits = (await server.OkAsync("entities/search", new { collectionName = "quick", data = new[] { new[] { 3.2f, 0, 0, 0 } }, limit = 3, outputFields = new[] { "color" } }))!.AsArray();
        Assert.Equal([3L, 4L, 2L], hits.Select(h => h!["id"]!.GetValue<long>()));
        Assert.Equal(0.04f, hits[0]!["distance"]!.GetValue<float>(), 3);
        Assert.Equal("blue", hits[0]!["color"]!.GetValue<string>());

        var filtered = (await server.OkAsync("entities/search", new { collectionName = "quick", data = new[] { new[] { 3.2f, 0, 0, 0 } }, limit = 3, filter = "color == \"red\"" }))!.AsArray();
        Assert.Equal([4L, 2L, 6L], filtered.Select(h => h!["id"]!.GetValue<long>()));

        var queried = (await server.OkAsync("entities/query", new { collectionName = "quick", filter = "id >= 8", outputFields = new[] { "id", "color" } }))!.AsArray();
        Assert.Equal([8L, 9L, 10L], queried.Select(h => h!["id"]!.GetValue<long>()));

        var count = (await server.OkAsync("entities/query", new { collectionName = "quick", filter = "", outputFields = new[] { "count(*)" } }))!.AsArray();
        Assert.Equal(10, count[0]!["count(*)"]!.GetValue<long>());

        var got = (await server.OkAsync("entities/get", new { collectionName = "quick", id = new[] { 2, 5 }, outputFields = new[] { "vector" } }))!.AsArray();
        Assert.Equal(2, got.Count);
        Assert.Equal(5f, got[1]!["vector"]![0]!.GetValue<float>());

        var deleted = await server.OkAsync("entities/delete", new { collectionName = "quick", filter = "id in [1, 2, 3]" });
        Assert.Equal(3, deleted!["deleteCount"]!.GetValue<int>());
        count = (await server.OkAsync("entities/query", new { collectionName = "quick", filter = "", outputFields = new[] { "count(*)" } }))!.AsArray();
        Assert.Equal(7, count[0]!["count(*)"]!.GetValue<long>());
        var afterDelete = (await server.OkAsync("entities/search", new { collectionName = "quick", data = new[] { new[] { 1f, 0, 0, 0 } }, limit = 1 }))!.AsArray();
        Assert.Equal(4L, afterDelete[0]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task SearchWithSeveralQueriesReturnsTopksAndOffsetSkips()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "c", dimension = 2, metricType = "IP" });
        var rows = Enumerable.Range(0, 20).Select(i => new { id = i, vector = new[] { (float)i, 1f } }).ToArray();
        await server.OkAsync("entities/insert", new { collectionName = "c", data = rows });
        var reply = await server.CallAsync("entities/search", new { collectionName = "c", data = new[] { new[] { 1f, 0f }, new[] { -1f, 0f } }, limit = 2, offset = 1 });
        Assert.Equal(0, reply["code"]!.GetValue<int>());
        Assert.Equal([2, 2], reply["topks"]!.AsArray().Select(t => t!.GetValue<int>()));
        var ids = reply["data"]!.AsArray().Select(h => h!["id"]!.GetValue<long>()).ToArray();
        Assert.Equal([18L, 17L, 1L, 2L], ids);
    }

    [Fact]
    public async Task UpsertReplacesTheRowAndKeepsOneVersion()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "u", dimension = 2 });
        await server.OkAsync("entities/insert", new { collectionName = "u", data = new[] { new { id = 1, vector = new[] { 1f, 0f }, tag = "old" } } });
        var up = await server.OkAsync("entities/upsert", new { collectionName = "u", data = new[] { new { id = 1, vector = new[] { 0f, 1f }, tag = "new" }, new { id = 2, vector = new[] { 1f, 1f }, tag = "two" } } });
        Assert.Equal(2, up!["upsertCount"]!.GetValue<int>());
        var rows = (await server.OkAsync("entities/query", new { collectionName = "u", filter = "id > 0", outputFields = new[] { "tag" } }))!.AsArray();
        Assert.Equal(["new", "two"], rows.Select(r => r!["tag"]!.GetValue<string>()));
        var count = (await server.OkAsync("entities/query", new { collectionName = "u", filter = "", outputFields = new[] { "count(*)" } }))!.AsArray();
        Assert.Equal(2, count[0]!["count(*)"]!.GetValue<long>());
    }

    [Fact]
    public async Task AutoIdCollectionsReturnTheGeneratedIds()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "auto", dimension = 2, autoId = true });
        var inserted = await server.OkAsync("entities/insert", new { collectionName = "auto", data = new[] { new { vector = new[] { 1f, 0f } }, new { vector = new[] { 0f, 1f } } } });
        var ids = inserted!["insertIds"]!.AsArray().Select(i => i!.GetValue<long>()).ToArray();
        Assert.Equal(2, ids.Distinct().Count());
        var got = (await server.OkAsync("entities/get", new { collectionName = "auto", id = ids }))!.AsArray();
        Assert.Equal(2, got.Count);
        var (code, message) = await server.FailAsync("entities/insert", new { collectionName = "auto", data = new[] { new { id = 5, vector = new[] { 1f, 0f } } } });
        Assert.Equal(1804, code);
        Assert.Contains("auto-generated", message);
    }
}
