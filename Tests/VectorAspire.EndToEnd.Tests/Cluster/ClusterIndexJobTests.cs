using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace VectorAspire.EndToEnd.Tests.Cluster;

/// <summary>
/// Index builds are jobs on the control bus (RabbitMQ): a DataNode killed with kill -9 in the middle of a build never
/// acknowledged its job, so the broker hands it to the other DataNode and the index finishes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class ClusterIndexJobTests(LocalCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task AnIndexBuildWhoseDataNodeIsKilledIsRedeliveredToAnotherAndFinishes()
    {
        const string name = "index_job_failover";
        using var rest = new RestClient(cluster.Proxies[0], TimeSpan.FromMinutes(3));
        await rest.OkAsync("collections/create", new
        {
            collectionName = name,
            schema = new
            {
                fields = new object[]
                {
                    new { fieldName = "id", dataType = "Int64", isPrimary = true },
                    new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 64 } },
                },
            },
        });
        var rng = new Random(17);
        for (int b = 0; b < 4; b++)
        {
            var rows = Enumerable.Range(b * 5000, 5000).Select(i => new { id = (long)i, v = Enumerable.Range(0, 64).Select(_ => rng.NextSingle()).ToArray() }).ToArray();
            await rest.OkAsync("entities/insert", new { collectionName = name, data = rows });
        }
        await rest.OkAsync("collections/flush", new { collectionName = name });
        // A deliberately slow build (20k x 64, M 32, efConstruction 300), so the kill lands in the middle of it.
        await rest.OkAsync("indexes/create", new
        {
            collectionName = name,
            indexParams = new[] { new { fieldName = "v", indexName = "v", metricType = "L2", indexType = "HNSW", @params = new { M = 32, efConstruction = 300 } } },
        });

        var clock = Stopwatch.StartNew();
        (int Node, string Job) building = default;
        while (building.Job is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no DataNode started the build");
            for (int n = 0; n < 2 && building.Job is null; n++)
            {
                var m = BuildingLine().Match(cluster.Log($"datanode-{n}"));
                if (m.Success)
                    building = (n, m.Groups[1].Value);
            }
            await Task.Delay(50);
        }
        bool finishedBeforeKill = (await DescribeAsync(rest, name))["indexState"]!.GetValue<string>() == "Finished";
        output.WriteLine(await cluster.KillAsync("datanode", building.Node));
        try
        {
            Assert.False(finishedBeforeKill, "the build finished before the kill: the test proves nothing (make the build slower)");
            var killedAt = clock.Elapsed;
            string state;
            do
            {
                Assert.True(clock.Elapsed < killedAt + TimeSpan.FromMinutes(3), "the index did not finish after its DataNode was killed");
                await Task.Delay(200);
                state = (await DescribeAsync(rest, name))["indexState"]!.GetValue<string>();
            }
            while (state != "Finished");
            output.WriteLine($"index finished {(clock.Elapsed - killedAt).TotalSeconds:F1} s after datanode-{building.Node} was killed mid-build");
            // The job went to the survivor (redelivered, or published again by the scheduler: either is a fresh run there).
            Assert.Matches(BuildingLine(), cluster.Log($"datanode-{1 - building.Node}"));
            var described = await DescribeAsync(rest, name);
            Assert.Equal(20000, described["indexedRows"]!.GetValue<long>());
        }
        finally
        {
            output.WriteLine((await cluster.HealAsync()).Trim().Split('\n')[^1]);
        }
        await rest.OkAsync("collections/load", new { collectionName = name });
        var hits = (await rest.OkAsync("entities/search", new { collectionName = name, data = new[] { Enumerable.Repeat(0.5f, 64).ToArray() }, limit = 5, annsField = "v" }))!.AsArray();
        Assert.Equal(5, hits.Count);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> DescribeAsync(RestClient rest, string name)
        => (await rest.OkAsync("indexes/describe", new { collectionName = name, indexName = "v" }))!.AsArray()[0]!;

    [GeneratedRegex(@"Building index v for segment \d+ \(job (\d+)\)")]
    private static partial Regex BuildingLine();
}
