namespace VectorAspire.Integration.Tests;

public class RestSearchFeatureTests : ServerTests
{
    [Fact]
    public async Task RangeSearchKeepsOnlyScoresInsideTheRange()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new { collectionName = "r", dimension = 2, metricType = "L2" });
        var rows = Enumerable.Range(0, 10).Select(i => new { id = i, vector = new[] { (float)i, 0f } }).ToArray();
        await server.OkAsync("entities/insert", new { collectionName = "r", data = rows });
        // Squared L2 from the origin is i²: keep 1 <= d < 26, i.e. ids 1..5.
        var hits = (await server.OkAsync("entities/search", new { collectionName = "r", data = new[] { new[] { 0f, 0f } }, limit = 10, searchParams = new { @params = new { radius = 26.0, range_filter = 1.0 } } }))!.AsArray();
        Assert.Equal([1L, 2L, 3L, 4L, 5L], hits.Select(h => h!["id"]!.GetValue<long>()));
        var (code, message) = await server.FailAsync("entities/search", new { collectionName = "r", data = new[] { new[] { 0f, 0f } }, searchParams = new { @params = new { radius = 1.0, range_filter = 26.0 } } });
        Assert.Equal(1100, code);
        Assert.Contains("range_filter", message);

        await server.OkAsync("collections/create", new { collectionName = "ip", dimension = 2, metricType = "IP" });
        await server.OkAsync("entities/insert", new { collectionName = "ip", data = rows });
        // Inner product with (1, 0) is i: keep 2 < s <= 6, i.e. ids 6..3 best first.
        var ipHits = (await server.OkAsync("entities/search", new { collectionName = "ip", data = new[] { new[] { 1f, 0f } }, limit = 10, searchParams = new { @params = new { radius = 2.0, range_filter = 6.0 } } }))!.AsArray();
        Assert.Equal([6L, 5L, 4L, 3L], ipHits.Select(h => h!["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task PartitionKeyRoutesRowsAndFiltersFindThem()
    {
        await using var server = await StartServerAsync();
        await server.OkAsync("collections/create", new
        {
            collectionName = "pk",
            schema = new
            {
                fields = new object[]
                {
                    new { fieldName = "id", dataType = "VarChar", isPrimary = true, elementTypeParams = new { max_length = 10 } },
                    new { fieldName = "tenant", dataType = "Int64", isPartitionKey = true },
                    new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 2 } },
                },
            },
            @params = new { partitionsNum = 4, shardsNum = 2 },
            indexParams = new[] { new { fieldName = "v", metricType = "L2" } },
        });
        Assert.Equal(4, (await server.OkAsync("partitions/list", new { collectionName = "pk" }))!.AsArray().Count);
        var rows = Enumerable.Range(0, 40).Select(i => new { id = $"r{i}", tenant = i % 5, v = new[] { (float)i, 0f } }).ToArray();
        await server.OkAsync("entities/insert", new { collectionName = "pk", data = rows });
        var tenant3 = (await server.OkAsync("entities/query", new { collectionName = "pk", filter = "tenant == 3", outputFields = new[] { "id" }, limit = 100 }))!.AsArray();
        Assert.Equal(8, tenant3.Count);
        var hits = (await server.OkAsync("entities/search", new { collectionName = "pk", data = new[] { new[] { 0f, 0f } }, filter = "tenant == 3", limit = 3 }))!.AsArray();
        Assert.Equal(["r3", "r8", "r13"], hits.Select(h => h!["id"]!.GetValue<string>()));
        var (code, _) = await server.FailAsync("entities/insert", new { collectionName = "pk", partitionName = "_default_0", data = rows.Take(1).ToArray() });
        Assert.Equal(1100, code);
        (code, _) = await server.FailAsync("partitions/create", new { collectionName = "pk", partitionName = "manual" });
        Assert.Equal(1100, code);
        await server.OkAsync("entities/delete", new { collectionName = "pk", id = new[] { "r3", "r8" } });
        await server.OkAsync("entities/upsert", new { collectionName = "pk", data = new[] { new { id = "r13", tenant = 4, v = new[] { 0f, 0f } } } });
        var after = (await server.OkAsync("entities/search", new { collectionName = "pk", data = new[] { new[] { 0f, 0f } }, filter = "tenant == 3", limit = 3 }))!.AsArray();
        Assert.Equal(["r18", "r23", "r28"], after.Select(h => h!["id"]!.GetValue<string>()));
        Assert.Equal(38, (await server.OkAsync("entities/query", new { collectionName = "pk", filter = "", outputFields = new[] { "count(*)" } }))!.AsArray()[0]!["count(*)"]!.GetValue<long>());
    }
}
