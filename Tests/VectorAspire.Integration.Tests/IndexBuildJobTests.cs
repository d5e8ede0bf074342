using System.Text;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Coordinator;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Contracts.Messages;
using VectorAspire.Core.Meta;
using VectorAspire.DataNode;

namespace VectorAspire.Integration.Tests;

/// <summary>
/// Index builds as control-bus jobs (the in-memory bus of standalone; a cluster runs the same consumers over
/// RabbitMQ): duplicated jobs, redelivered outcomes and outcomes that arrive after their index was dropped change
/// nothing, and failures reach describe_index.
/// </summary>
public class IndexBuildJobTests : ServerTests
{
    private sealed record Fixture(TestServer Server, CollectionInfo Collection, SegmentInfo Segment, IndexInfo Index, SegmentIndexInfo Committed) : IAsyncDisposable
    {
        public CoordinatorService Coordinator => Server.Services.GetRequiredService<CoordinatorService>();
        public DataNodeService DataNode => Server.Services.GetRequiredService<DataNodeService>();
        public IMetaStore Meta => Server.Services.GetRequiredService<IMetaStore>();
        public string ObjectPath(string key) => Path.Combine(Server.DataDir, "objects", key);
        public ValueTask DisposeAsync() => Server.DisposeAsync();

        public async Task<List<SegmentIndexInfo>> RecordsAsync()
            => [.. (await Meta.ScanPrefixAsync($"catalog/segment-indexes/{Collection.CollectionId}/", CancellationToken.None)).Select(kv => CatalogJson.ReadSegmentIndex(kv.Value))];

        public BuildSegmentIndex Job(long buildId, IndexInfo? index = null) => new(Collection.CollectionId, Segment.SegmentId, Index.IndexName, buildId,
            Encoding.UTF8.GetString(CatalogJson.Serialize(Collection)), Encoding.UTF8.GetString(CatalogJson.Serialize(Segment)),
            Encoding.UTF8.GetString(CatalogJson.Serialize(index ?? Index)));
    }

    /// <summary>One sealed segment with its HNSW index built and committed through the bus.</summary>
    private async Task<Fixture> StartAsync()
    {
        var server = await StartServerAsync();
        await server.OkAsync("collections/create", new
        {
            collectionName = "j",
            schema = new
            {
                fields = new object[]
                {
                    new { fieldName = "id", dataType = "Int64", isPrimary = true },
                    new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 8 } },
                },
            },
            indexParams = new[] { new { fieldName = "v", metricType = "L2", indexType = "HNSW", @params = new { M = 8, efConstruction = 32 } } },
        });
        var rng = new Random(5);
        await server.OkAsync("entities/insert", new { collectionName = "j", data = Enumerable.Range(0, 500).Select(i => new { id = (long)i, v = Vectors.Random(rng, 8) }).ToArray() });
        await server.OkAsync("collections/flush", new { collectionName = "j" });
        Assert.Equal("Finished", (await WaitForStateAsync(server, s => s == "Finished"))["indexState"]!.GetValue<string>());

        var coordinator = server.Services.GetRequiredService<ICoordinatorClient>();
        var collection = (await coordinator.FindCollectionAsync("default", "j", CancellationToken.None))!;
        var state = await coordinator.GetShardStateAsync(collection.CollectionId, collection.VChannels[0], CancellationToken.None);
        var fixture = new Fixture(server, collection, Assert.Single(state.Segments), Assert.Single(collection.Indexes), null!);
        return fixture with { Committed = Assert.Single(await fixture.RecordsAsync()) };
    }

    private static async Task<JsonNode> WaitForStateAsync(TestServer server, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonNode described;
        do
        {
            described = (await server.OkAsync("indexes/describe", new { collectionName = "j", indexName = "v" }))!.AsArray()[0]!;
            if (done(described["indexState"]!.GetValue<string>()))
                break;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return described;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ADuplicatedBuildJobLeavesTheCommittedIndexAndRemovesItsOwnFile()
    {
        await using var f = await StartAsync();
        Assert.True(File.Exists(f.ObjectPath(f.Committed.Key)));
        var bus = f.Server.Services.GetRequiredService<IBus>();
        var outcome = new TaskCompletionSource<SegmentIndexBuilt>(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = bus.ConnectReceiveEndpoint("test-observer-" + Guid.NewGuid().ToString("N"),
            e => e.Handler<SegmentIndexBuilt>(ctx =>
            {
                if (ctx.Message.BuildId == 424242)
                    outcome.TrySetResult(ctx.Message);
                return Task.CompletedTask;
            }));
        await observer.Ready;
        try
        {
            await f.Server.Services.GetRequiredService<IControlBus>().PublishAsync(f.Job(424242), CancellationToken.None);
            var duplicate = CatalogJson.ReadSegmentIndex(Encoding.UTF8.GetBytes((await outcome.Task.WaitAsync(TimeSpan.FromSeconds(60))).SegmentIndexJson));
            Assert.NotEqual(f.Committed.Key, duplicate.Key); // the second run wrote a file of its own, not over the first
            await WaitUntilAsync(() => !File.Exists(f.ObjectPath(duplicate.Key)), "the duplicate's file is removed");
        }
        finally
        {
            await observer.StopAsync();
        }
        Assert.Equal(f.Committed, Assert.Single(await f.RecordsAsync()));
        Assert.True(File.Exists(f.ObjectPath(f.Committed.Key)));
    }

    [Fact]
    public async Task ARedeliveredOutcomeOfTheCommittedBuildChangesNothing()
    {
        await using var f = await StartAsync();
        Assert.False(await f.Coordinator.CommitBuiltIndexAsync(f.Committed, CancellationToken.None));
        Assert.False(await f.Coordinator.CommitBuiltIndexAsync(f.Committed, CancellationToken.None));
        Assert.Equal(f.Committed, Assert.Single(await f.RecordsAsync()));
        Assert.True(File.Exists(f.ObjectPath(f.Committed.Key)), "a redelivered outcome must not delete the committed file");
        // The search still goes through the index.
        Assert.Equal(3, (await f.Server.OkAsync("entities/search", new { collectionName = "j", data = new[] { Vectors.Random(new Random(1), 8) }, limit = 3 }))!.AsArray().Count);
    }

    [Fact]
    public async Task AnOutcomeArrivingAfterItsIndexWasDroppedCommitsNothingAndRemovesItsFile()
    {
        await using var f = await StartAsync();
        var late = await f.DataNode.BuildIndexAsync(f.Collection, f.Segment, f.Index, 777, CancellationToken.None);
        Assert.True(File.Exists(f.ObjectPath(late.Key)));
        await f.Server.OkAsync("collections/release", new { collectionName = "j" });
        await f.Server.OkAsync("indexes/drop", new { collectionName = "j", indexName = "v" });
        Assert.False(await f.Coordinator.CommitBuiltIndexAsync(late, CancellationToken.None));
        Assert.Empty(await f.RecordsAsync());
        Assert.False(File.Exists(f.ObjectPath(late.Key)));
        Assert.False(File.Exists(f.ObjectPath(f.Committed.Key)));
    }

    [Fact]
    public async Task AFailedJobMarksItsIndexFailedWithTheReasonAndAStaleFailureIsIgnored()
    {
        await using var f = await StartAsync();
        // A failure reported for an index that is no longer the collection's (other type, same name) is dropped.
        await f.Coordinator.RecordIndexBuildFailureAsync(f.Collection.CollectionId, f.Segment.SegmentId, f.Index with { IndexType = "IVF_FLAT" }, "stale", CancellationToken.None);
        var described = (await f.Server.OkAsync("indexes/describe", new { collectionName = "j", indexName = "v" }))!.AsArray()[0]!;
        Assert.Equal("Finished", described["indexState"]!.GetValue<string>());

        // A job the DataNode cannot run (its index names a field the schema lacks) comes back over the bus as a failure.
        await f.Server.Services.GetRequiredService<IControlBus>().PublishAsync(f.Job(999, f.Index with { FieldId = 987654 }), CancellationToken.None);
        described = await WaitForStateAsync(f.Server, s => s == "Failed");
        Assert.Equal("Failed", described["indexState"]!.GetValue<string>());
        Assert.Contains("987654", described["failReason"]!.GetValue<string>());

        // Dropping the index clears the failure with it.
        await f.Server.OkAsync("collections/release", new { collectionName = "j" });
        await f.Server.OkAsync("indexes/drop", new { collectionName = "j", indexName = "v" });
        Assert.Empty(await f.Meta.ScanPrefixAsync($"catalog/index-failures/{f.Collection.CollectionId}/", CancellationToken.None));
    }
}
