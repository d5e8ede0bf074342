using System.Net;
using System.Text;

namespace VectorAspire.Integration.Tests;

/// <summary>Bad input gets a Milvus error code and a message that says what to fix; the server keeps serving.</summary>
public class RestErrorTests : ServerTests, IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await StartServerAsync();
        await _server.OkAsync("collections/create", new
        {
            collectionName = "e",
            schema = new
            {
                fields = new object[]
                {
                    new { fieldName = "id", dataType = "Int64", isPrimary = true },
                    new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 3 } },
                    new { fieldName = "name", dataType = "VarChar", elementTypeParams = new { max_length = 4 } },
                    new { fieldName = "n", dataType = "Int8" },
                },
            },
            indexParams = new[] { new { fieldName = "v", metricType = "L2" } },
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task ExpectAsync(string path, object body, int code, string fragment)
    {
        var (actual, message) = await _server.FailAsync(path, body);
        Assert.True(actual == code, $"expected code {code}, got {actual}: {message}");
        Assert.Contains(fragment, message, StringComparison.OrdinalIgnoreCase);
    }

    private static object Row(object? id = null, object? v = null, object? name = null, object? n = null)
        => new Dictionary<string, object?> { ["id"] = id ?? 1, ["v"] = v ?? new[] { 1f, 2f, 3f }, ["name"] = name ?? "ab", ["n"] = n ?? 1 };

    [Fact]
    public async Task InsertErrorsNameTheRowAndField()
    {
        await ExpectAsync("entities/insert", new { collectionName = "e", data = new[] { Row(v: new[] { 1f, 2f }) } }, 1804, "dim");
        await ExpectAsync("entities/insert", new { collectionName = "e", data = new[] { Row(name: 5) } }, 1804, "'name'");
        await ExpectAsync("entities/insert", new { collectionName = "e", data = new[] { Row(name: "toolong") } }, 1804, "max_length");
        await ExpectAsync("entities/insert", new { collectionName = "e", data = new[] { Row(n: 300) } }, 1804, "out of range");
        await ExpectAsync("entities/insert", new { collectionName = "e", data = new[] { new { id = 1, v = new[] { 1f, 2f, 3f }, n = 1 } } }, 1804, "'name' is missing");
        await ExpectAsync("entities/insert", new { collectionName = "e", data = new[] { new { id = 1, v = new[] { 1f, 2f, 3f }, n = 1, name = "a", bogus = 1 } } }, 1804, "'bogus' is not in the schema");
        await ExpectAsync("entities/insert", new { collectionName = "e", data = Array.Empty<object>() }, 1100, "empty");
        await ExpectAsync("entities/insert", new { collectionName = "nope", data = new[] { Row() } }, 100, "collection not found");
        await ExpectAsync("entities/insert", new { collectionName = "e", partitionName = "zzz", data = new[] { Row() } }, 200, "partition not found");
        Assert.Equal(0, (await _server.OkAsync("collections/get_stats", new { collectionName = "e" }))!["rowCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task ReadErrorsExplainTheFix()
    {
        await _server.OkAsync("entities/insert", new { collectionName = "e", data = new[] { Row() } });
        await _server.OkAsync("collections/release", new { collectionName = "e" });
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } } }, 101, "load");
        await _server.OkAsync("collections/load", new { collectionName = "e" });
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f } } }, 1100, "dim 3");
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } }, limit = 0 }, 1100, "limit");
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } }, limit = 10, offset = 16380 }, 1100, "offset");
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } }, filter = "n > " }, 1100, "position");
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } }, filter = "missing == 1" }, 1100, "missing");
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } }, outputFields = new[] { "ghost" } }, 1700, "ghost");
        await ExpectAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } }, searchParams = new { metricType = "IP" } }, 1100, "metric");
        await ExpectAsync("entities/query", new { collectionName = "e", filter = "name like 5" }, 1100, "filter");
        await ExpectAsync("entities/query", new { collectionName = "e", filter = "n > 0", limit = 20000 }, 1100, "limit");
        await ExpectAsync("entities/query", new { filter = "n > 0" }, 1802, "collectionName");
        await ExpectAsync("entities/get", new { collectionName = "e", id = "x" }, 1100, "Int64");
        await ExpectAsync("entities/query", new { collectionName = "e", filter = "n > 0", consistencyLevel = "Sometimes" }, 1100, "consistency level");
        await ExpectAsync("entities/query", new { collectionName = "e", filter = "n > 0", consistencyLevel = "Customized" }, 1100, "not supported");
        foreach (var level in new[] { "Strong", "Bounded", "Session", "Eventually" })
            Assert.Single((await _server.OkAsync("entities/query", new { collectionName = "e", filter = "n > 0", consistencyLevel = level }))!.AsArray());
        // The server still answers correctly after all of that.
        var hits = (await _server.OkAsync("entities/search", new { collectionName = "e", data = new[] { new[] { 1f, 2f, 3f } } }))!.AsArray();
        Assert.Single(hits);
    }

    [Fact]
    public async Task DdlErrorsAreMilvusShaped()
    {
        await ExpectAsync("collections/create", new { collectionName = "e", dimension = 4 }, 1100, "already exists");
        await ExpectAsync("collections/create", new { collectionName = "1bad", dimension = 4 }, 1100, "first character");
        await ExpectAsync("collections/create", new { collectionName = "d1", dimension = 1 }, 105, "dim");
        await ExpectAsync("collections/create", new { collectionName = "d2", dimension = 40000 }, 105, "dim");
        await ExpectAsync("collections/create", new { collectionName = "d3" }, 1802, "dimension");
        await ExpectAsync("collections/describe", new { collectionName = "none" }, 100, "none");
        await ExpectAsync("collections/describe", new { }, 1802, "collectionName");
        await ExpectAsync("collections/create", new { collectionName = "d4", schema = new { fields = new object[] { new { fieldName = "id", dataType = "Int64" }, new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 4 } } } } }, 105, "primary key");
        await ExpectAsync("collections/create", new { collectionName = "d5", dimension = 4, @params = new { ttlSeconds = 10 } }, 10, "not supported");
        await ExpectAsync("indexes/create", new { collectionName = "e", indexParams = new[] { new { fieldName = "v", metricType = "HAMMING" } } }, 1100, "HAMMING");
        await ExpectAsync("aliases/describe", new { aliasName = "nope" }, 1600, "alias not found");
        await ExpectAsync("collections/list", new { dbName = "other" }, 800, "database not found");
    }

    [Fact]
    public async Task MalformedAndOversizedBodiesGetErrorsNotCrashes()
    {
        await ExpectAsync("collections/has", "{not json", 1100, "not valid JSON");
        await ExpectAsync("collections/has", "[1,2]", 1100, "JSON object");
        await ExpectAsync("collections/has", new { collectionName = 5 }, 1100, "collectionName");
        var big = new StringBuilder("{\"collectionName\":\"e\",\"data\":\"");
        big.Append('x', 65 * 1024 * 1024);
        big.Append("\"}");
        using var content = new StringContent(big.ToString(), Encoding.UTF8, "application/json");
        using var response = await _server.RawPostAsync("/v2/vectordb/entities/insert", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"code\":1102", text);
        using var unknown = await _server.RawPostAsync("/v2/vectordb/collections/explode", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True((await _server.OkAsync("collections/has", new { collectionName = "e" }))!["has"]!.GetValue<bool>());
    }
}
