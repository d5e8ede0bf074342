using Microsoft.Extensions.DependencyInjection;
using VectorAspire.QueryNode;

namespace VectorAspire.Integration.Tests;

/// <summary>An HNSW index created through REST is built on sealed segments and searches go through it.</summary>
public class RestIndexTests : ServerTests
{
    [Theory]
    [InlineData("HNSW", "M=16;efConstruction=100", "ef=64", 0.9)]
    [InlineData("HNSW_SQ", "M=16;efConstruction=100", "ef=64", 0.9)]
    [InlineData("AUTOINDEX", "", "", 0.9)]
    [InlineData("IVF_FLAT", "nlist=16", "nprobe=8", 0.9)]
    [InlineData("IVF_SQ8", "nlist=16", "nprobe=8", 0.85)]
    [InlineData("IVF_PQ", "nlist=16;m=4;nbits=8", "nprobe=8", 0.85)]
    public async Task AnIndexIsBuiltOnSealedSegmentsAndSearchedThrough(string indexType, string buildParams, string searchParams, double minRecall)
    {
        static Dictionary<string, int> Parse(string text) => text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => int.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await StartServerAsync(settings: new Dictionary<string, string?> { ["VectorAspire:StreamingNode:SealRows"] = "1500" });
        await server.OkAsync("collections/create", new
        {
            collectionName = "h",
            schema = new
            {
                fields = new object[]
                {
                    new { fieldName = "id", dataType = "Int64", isPrimary = true },
                    new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 16 } },
                    new { fieldName = "n", dataType = "Int32" },
                },
            },
            indexParams = new[] { new { fieldName = "v", metricType = "L2", indexType, @params = Parse(buildParams) } },
        });
        int seed = 99;
        var rng = new Random(seed);
        var all = new List<(long Id, float[] V, int N)>();
        for (int b = 0; b < 4; b++)
        {
            var rows = Enumerable.Range(b * 1000, 1000).Select(i => ((long)i, Vectors.Random(rng, 16), i % 10)).ToList();
            all.AddRange(rows);
            await server.OkAsync("entities/insert", new { collectionName = "h", data = rows.Select(r => new { id = r.Item1, v = r.Item2, n = r.Item3 }).ToArray() });
        }
        await server.OkAsync("collections/flush", new { collectionName = "h" });

        var deadline = DateTime.UtcNow.AddSeconds(60);
        System.Text.Json.Nodes.JsonNode described;
        do
        {
            described = (await server.OkAsync("indexes/describe", new { collectionName = "h", indexName = "v" }))!.AsArray()[0]!;
            if (described["indexState"]!.GetValue<string>() == "Finished")
                break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal("Finished", described["indexState"]!.GetValue<string>());
        Assert.Equal(4000, described["indexedRows"]!.GetValue<long>());
        Assert.Equal(0, described["pendingRows"]!.GetValue<long>());
        var queryNode = server.Services.GetRequiredService<QueryNodeService>();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (queryNode.IndexedSegmentCount == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(queryNode.IndexedSegmentCount > 0, "the QueryNode never loaded the built index");

        double hits = 0;
        int queries = 30;
        for (int q = 0; q < queries; q++)
        {
            var query = Vectors.Random(rng, 16);
            var exact = all.Where(r => r.N < 5).OrderBy(r => Dist(r.V, query)).Take(10).Select(r => r.Id).ToHashSet();
            var got = (await server.OkAsync("entities/search", new { collectionName = "h", data = new[] { query }, limit = 10, filter = "n < 5", searchParams = new { @params = Parse(searchParams) } }))!.AsArray();
            Assert.All(got, h => Assert.True(h!["id"]!.GetValue<long>() % 10 < 5, "a filtered-out row was returned"));
            hits += got.Count(h => exact.Contains(h!["id"]!.GetValue<long>()));
        }
        double recall = hits / (queries * 10);
        Assert.True(recall >= minRecall, $"recall@10 through {indexType} was {recall:F3} (seed {seed})");
        if (indexType.StartsWith("HNSW", StringComparison.Ordinal))
        {
            var (code, _) = await server.FailAsync("entities/search", new { collectionName = "h", data = new[] { Vectors.Random(rng, 16) }, limit = 100, searchParams = new { @params = new { ef = 10 } } });
            Assert.Equal(1100, code);
        }
        // refine_k is acted on by indexes that re-score candidates (IVF_PQ here) and refused by the others.
        var refined = new { collectionName = "h", data = new[] { Vectors.Random(rng, 16) }, limit = 10, searchParams = new { @params = new { refine_k = 2 } } };
        if (indexType == "IVF_PQ")
        {
            Assert.Equal(10, (await server.OkAsync("entities/search", refined))!.AsArray().Count);
            var (badCode, badMessage) = await server.FailAsync("entities/search", new { collectionName = "h", data = new[] { Vectors.Random(rng, 16) }, limit = 10, searchParams = new { @params = new { refine_k = 0.5 } } });
            Assert.Equal(1100, badCode);
            Assert.Contains("refine_k", badMessage);
        }
        else
        {
            var (code, message) = await server.FailAsync("entities/search", refined);
            Assert.Equal(1100, code);
            Assert.Contains("refine_k is not supported by index type", message);
        }

        await server.OkAsync("collections/release", new { collectionName = "h" });
        await server.OkAsync("indexes/drop", new { collectionName = "h", indexName = "v" });
        Assert.Equal(0, queryNode.IndexedSegmentCount);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDir, "objects"), "*.idx", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("HNSW", "L2", "{}", true)]
    [InlineData("IVF_FLAT", "IP", "{\"nlist\":8}", true)]
    [InlineData("HNSW_SQ", "L2", "{\"refine\":true}", true)]
    [InlineData("HNSW", "COSINE", "{}", false)]
    public async Task VectorsReadBackUnchangedWhenTheLoadedIndexHoldsThem(string indexType, string metricType, string buildParams, bool indexHoldsVectors)
    {
        await using var server = await StartServerAsync(settings: new Dictionary<string, string?> { ["VectorAspire:StreamingNode:SealRows"] = "1500" });
        await server.OkAsync("collections/create", new
        {
            collectionName = "d",
            schema = new
            {
                fields = new object[]
                {
                    new { fieldName = "id", dataType = "Int64", isPrimary = true },
                    new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 8 } },
                },
            },
            indexParams = new[] { new { fieldName = "v", metricType, indexType, @params = System.Text.Json.JsonDocument.Parse(buildParams).RootElement } },
        });
        int seed = 7;
        var rng = new Random(seed);
        var inserted = Enumerable.Range(0, 2000).Select(_ => Vectors.Random(rng, 8)).ToArray();
        await server.OkAsync("entities/insert", new { collectionName = "d", data = inserted.Select((v, i) => new { id = i, v }).ToArray() });
        await server.OkAsync("collections/flush", new { collectionName = "d" });

        var queryNode = server.Services.GetRequiredService<QueryNodeService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // One insert batch seals into one segment.
        while (queryNode.IndexedSegmentCount == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(1, queryNode.IndexedSegmentCount);
        Assert.Equal(indexHoldsVectors ? 1 : 0, queryNode.IndexHeldVectorFieldCount);

        var queried = (await server.OkAsync("entities/query", new { collectionName = "d", filter = "id >= 0", outputFields = new[] { "v" }, limit = 2000 }))!.AsArray();
        Assert.Equal(2000, queried.Count);
        foreach (var row in queried)
            Assert.Equal(inserted[row!["id"]!.GetValue<long>()], row["v"]!.AsArray().Select(x => x!.GetValue<float>()).ToArray());
        long[] ids = [0, 999, 1000, 1999];
        var got = (await server.OkAsync("entities/get", new { collectionName = "d", id = ids, outputFields = new[] { "v" } }))!.AsArray();
        Assert.Equal(ids, got.Select(r => r!["id"]!.GetValue<long>()));
        foreach (var row in got)
            Assert.Equal(inserted[row!["id"]!.GetValue<long>()], row["v"]!.AsArray().Select(x => x!.GetValue<float>()).ToArray());
        var hits = (await server.OkAsync("entities/search", new { collectionName = "d", data = new[] { inserted[1234] }, limit = 5, outputFields = new[] { "v" } }))!.AsArray();
        Assert.Equal(5, hits.Count);
        foreach (var row in hits)
            Assert.Equal(inserted[row!["id"]!.GetValue<long>()], row["v"]!.AsArray().Select(x => x!.GetValue<float>()).ToArray());
    }

    private static float Dist(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
            s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }
}
