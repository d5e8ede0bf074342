using System.Text.Json.Nodes;

namespace VectorAspire.EndToEnd.Tests.Cluster;

/// <summary>
/// The end-to-end flows that pass on standalone, unchanged, against a Proxy of a real multi-process cluster; and
/// the cluster's answers equal standalone's on the same data.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFlowTests(LocalCluster cluster, NodeSdkFixture sdk) : IClassFixture<NodeSdkFixture>
{
    [Fact]
    public void OfficialNodeSdkHttpClientRunsTheFullRestWorkflowThroughAClusterProxy()
    {
        var (code, output) = NodeRunner.Run("node", [Path.Combine(sdk.Directory, "rest-flow.mjs"), cluster.Proxies[0].ToString().TrimEnd('/')], sdk.Directory, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"node rest-flow.mjs failed ({code}):\n{output}\n{cluster.Logs()}");
        Assert.Contains("REST FLOW OK", output);
    }

    [Fact]
    public void OfficialNodeSdkMilvusClientRunsTheFullGrpcWorkflowThroughAClusterProxy()
    {
        var (code, output) = NodeRunner.Run("node", [Path.Combine(sdk.Directory, "grpc-flow.mjs"), cluster.Proxies[1].Authority], sdk.Directory, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"node grpc-flow.mjs failed ({code}):\n{output}\n{cluster.Logs()}");
        Assert.Contains("GRPC FLOW OK", output);
    }

    [Fact]
    public async Task SearchQueryAndCountEqualStandalonesOnTheSameData()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        await using var standalone = await ServerProcess.StartAsync(dir);
        using var single = new RestClient(standalone.Endpoint);
        using var multi = new RestClient(cluster.Proxy);
        const string name = "same_data";
        const int dim = 16;
        var rng = new Random(42);
        var rows = Enumerable.Range(0, 3000).Select(i => new JsonObject
        {
            ["id"] = i,
            ["vector"] = new JsonArray([.. Enumerable.Range(0, dim).Select(_ => JsonValue.Create((float)(rng.NextDouble() * 2 - 1)))]),
            ["tag"] = i % 7,
        }).ToList();
        var queries = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();

        foreach (var client in new[] { single, multi })
        {
            await client.OkAsync("collections/create", new { collectionName = name, dimension = dim, metricType = "L2", @params = new { shardsNum = 2 } });
            for (int i = 0; i < rows.Count; i += 500)
            {
                await client.OkAsync("entities/insert", new { collectionName = name, data = new JsonArray([.. rows.Skip(i).Take(500).Select(r => r.DeepClone())]) });
                // Two thirds sealed and served by the QueryNodes, the rest growing on the StreamingNodes.
                if (i == 1500)
                    await client.OkAsync("collections/flush", new { collectionName = name });
            }
            await client.OkAsync("entities/delete", new { collectionName = name, filter = "id in [1, 2, 3, 500, 2999]" });
        }

        async Task<string> Answers(RestClient c)
        {
            var parts = new List<string>();
            foreach (var q in queries)
            {
                var hits = await c.OkAsync("entities/search", new { collectionName = name, data = new[] { q }, limit = 10, outputFields = new[] { "tag" }, consistencyLevel = "Strong" });
                parts.Add(hits!.ToJsonString());
            }
            parts.Add((await c.OkAsync("entities/query", new { collectionName = name, filter = "tag == 3 and id < 400", outputFields = new[] { "id", "tag" }, limit = 100, consistencyLevel = "Strong" }))!.ToJsonString());
            parts.Add((await c.OkAsync("entities/query", new { collectionName = name, filter = "id >= 0", outputFields = new[] { "count(*)" }, consistencyLevel = "Strong" }))!.ToJsonString());
            return string.Join('\n', parts);
        }

        string expected = await Answers(single);
        string actual = await Answers(multi);
        Assert.Contains("\"count(*)\":2995", expected);
        Assert.Equal(expected, actual);
    }
    [Fact]
    public async Task DatabasesAndTheirPropertiesReachEveryProxy()
    {
        using var first = new RestClient(cluster.Proxies[0]);
        using var second = new RestClient(cluster.Proxies[1]);
        const string db = "cluster_tenant";
        await first.OkAsync("databases/create", new { dbName = db });
        // Same name in two databases, created through different Proxies: two collections.
        await second.OkAsync("collections/create", new { dbName = db, collectionName = "same", dimension = 4, metricType = "L2" });
        await first.OkAsync("collections/create", new { collectionName = "same", dimension = 4, metricType = "L2" });
        await first.OkAsync("entities/insert", new { dbName = db, collectionName = "same", data = new[] { new { id = 1, vector = new[] { 1f, 0, 0, 0 } } } });
        var listed = (await second.OkAsync("collections/list", new { dbName = db }))!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["same"], listed);

        // database.force.deny.writing set through one Proxy stops writes through the other (its watched catalog copy).
        await first.OkAsync("databases/alter", new { dbName = db, properties = new Dictionary<string, object> { ["database.force.deny.writing"] = true } });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var reply = await second.CallAsync("entities/insert", new { dbName = db, collectionName = "same", data = new[] { new { id = 2, vector = new[] { 0f, 1, 0, 0 } } } });
            if (reply["code"]!.GetValue<int>() == 9)
                break;
            Assert.True(DateTime.UtcNow < deadline, $"writes through the second Proxy were not denied: {reply.ToJsonString()}");
            await Task.Delay(100);
        }
        await second.OkAsync("entities/insert", new { collectionName = "same", data = new[] { new { id = 2, vector = new[] { 0f, 1, 0, 0 } } } });

        await second.OkAsync("collections/drop", new { dbName = db, collectionName = "same" });
        await first.OkAsync("collections/drop", new { collectionName = "same" });
        await second.OkAsync("databases/drop", new { dbName = db });
        Assert.DoesNotContain(db, (await first.OkAsync("databases/list", new { }))!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task ASearchIsOneTraceAcrossProxyStreamingNodeAndQueryNode()
    {
        using var client = new RestClient(cluster.Proxy, TimeSpan.FromMinutes(2));
        const string name = "traced";
        await client.OkAsync("collections/create", new { collectionName = name, dimension = 4 });
        await client.OkAsync("entities/insert", new { collectionName = name, data = new[] { new { id = 1, vector = new[] { 1f, 0, 0, 0 } }, new { id = 2, vector = new[] { 0f, 1, 0, 0 } } } });
        await client.OkAsync("collections/flush", new { collectionName = name }); // sealed: the search reaches a QueryNode
        await client.OkAsync("entities/search", new { collectionName = name, data = new[] { new[] { 1f, 0, 0, 0 } }, limit = 2 });

        // Spans are exported in batches every 500 ms; wait for a trace that crossed all three roles.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var byTrace = cluster.Traces.Spans.ToArray().GroupBy(s => s.TraceId);
            // One tree: every span but the root (the Proxy's server span for the REST call) has its parent in the trace.
            var crossing = byTrace.FirstOrDefault(t =>
                t.Any(s => s.Service.StartsWith("proxy-", StringComparison.Ordinal))
                && t.Any(s => s.Service.StartsWith("streamingnode-", StringComparison.Ordinal) && s.Name.Contains("Search", StringComparison.Ordinal))
                && t.Any(s => s.Service.StartsWith("querynode-", StringComparison.Ordinal) && s.Name.Contains("Search", StringComparison.Ordinal))
                && t.Count(s => !t.Any(p => p.SpanId == s.ParentSpanId)) == 1);
            if (crossing is not null)
                return;
            Assert.True(DateTime.UtcNow < deadline, "no trace spans Proxy, StreamingNode and QueryNode; received:\n" +
                string.Join("\n", cluster.Traces.Spans.Take(60).Select(s => $"{s.Service} {s.Name} {s.TraceId[..8]} {s.SpanId[..8]}<-{s.ParentSpanId}")));
            await Task.Delay(250);
        }
    }
}

