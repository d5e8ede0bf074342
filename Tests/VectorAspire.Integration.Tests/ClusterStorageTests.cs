using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Integration.Tests;

/// <summary>
/// The server on the cluster storage providers — etcd (catalog, TSO, WAL fragment list and epochs), an S3 bucket
/// (segments and WAL fragments) and the object-storage WAL — with nothing on local disk: the same REST flow works,
/// and a restart recovers flushed, growing and deleted state from etcd and the bucket alone.
/// </summary>
public sealed class ClusterStorageTests(EtcdServerFixture etcd, S3rverServerFixture s3) : IClassFixture<EtcdServerFixture>, IClassFixture<S3rverServerFixture>
{
    private static async Task<long[]> AllIdsAsync(TestServer server, string collection)
    {
        var rows = (await server.OkAsync("entities/query", new { collectionName = collection, filter = "id >= 0", outputFields = new[] { "id" }, limit = 16384, consistencyLevel = "Strong" }))!.AsArray();
        return [.. rows.Select(r => r!["id"]!.GetValue<long>()).Order()];
    }

    [Fact]
    public async Task ServerOnEtcdS3AndTheObjectStorageWalServesAndRecoversAfterRestart()
    {
        string bucket = S3rverServer.UniqueBucket();
        var settings = new Dictionary<string, string?>
        {
            ["VectorAspire:MetaStore:Provider"] = "etcd",
            ["ConnectionStrings:etcd"] = $"Endpoints={etcd.Server.ClientUrl};Prefix={EtcdServer.UniquePrefix()}",
            ["VectorAspire:ObjectStore:Provider"] = "s3",
            ["ConnectionStrings:s3"] = s3.Server.ConnectionString(bucket),
            ["VectorAspire:ObjectStore:S3:CreateBucketIfMissing"] = "true",
            ["VectorAspire:Wal:Provider"] = "object",
            ["VectorAspire:StreamingNode:SealRows"] = "50",
        };
        string dir = TempDir.Create();
        var rng = new Random(11);
        var expected = new SortedSet<long>();
        await using (var server = await TestServer.StartAsync(dir, settings))
        {
            await server.OkAsync("collections/create", new { collectionName = "c", dimension = 8, metricType = "L2" });
            for (int batch = 0; batch < 4; batch++)
            {
                var rows = Enumerable.Range(batch * 40, 40).Select(i => new { id = (long)i, vector = Vectors.Random(rng, 8) }).ToArray();
                await server.OkAsync("entities/insert", new { collectionName = "c", data = rows });
                expected.UnionWith(rows.Select(r => r.id));
            }

            await server.OkAsync("entities/delete", new { collectionName = "c", id = new[] { 5L, 77L } });
            await server.OkAsync("collections/flush", new { collectionName = "c" });
            await server.OkAsync("entities/insert", new { collectionName = "c", data = new[] { new { id = 500L, vector = Vectors.Random(rng, 8) } } });
            await server.OkAsync("entities/delete", new { collectionName = "c", id = new[] { 12L } });
            expected.ExceptWith([5, 77, 12]);
            expected.Add(500);
            Assert.Equal(expected, await AllIdsAsync(server, "c"));
            var hits = (await server.OkAsync("entities/search", new { collectionName = "c", data = new[] { Vectors.Random(rng, 8) }, limit = 5, consistencyLevel = "Strong" }))!.AsArray();
            Assert.Equal(5, hits.Count);
        }

        Assert.False(Directory.Exists(Path.Combine(dir, "wal")), "the object-storage WAL writes nothing to local disk");
        Assert.False(Directory.Exists(Path.Combine(dir, "objects")), "segments go to the bucket");
        var objects = new S3ObjectStore(s3.Server.CreateOptions(bucket));
        var keys = new List<string>();
        await foreach (ObjectInfo info in objects.ListAsync("", CancellationToken.None))
            keys.Add(info.Key);
        Assert.Contains(keys, k => k.StartsWith("wal/", StringComparison.Ordinal) && k.EndsWith(".frag", StringComparison.Ordinal));
        Assert.Contains(keys, k => !k.StartsWith("wal/", StringComparison.Ordinal));

        await using (var server = await TestServer.StartAsync(dir, settings))
        {
            Assert.Equal(expected, await AllIdsAsync(server, "c"));
            await server.OkAsync("entities/insert", new { collectionName = "c", data = new[] { new { id = 900L, vector = Vectors.Random(rng, 8) } } });
            expected.Add(900);
            Assert.Equal(expected, await AllIdsAsync(server, "c"));
        }
    }

    [Fact]
    public async Task DroppingAnIndexBuiltOnMoreSegmentsThanEtcdsTransactionLimitSucceeds()
    {
        var settings = new Dictionary<string, string?>
        {
            ["VectorAspire:MetaStore:Provider"] = "etcd",
            ["ConnectionStrings:etcd"] = $"Endpoints={etcd.Server.ClientUrl};Prefix={EtcdServer.UniquePrefix()}",
            ["VectorAspire:StreamingNode:SealRows"] = "1",
        };
        await using var server = await TestServer.StartAsync(null, settings);
        await server.OkAsync("collections/create", new
        {
            collectionName = "many",
            schema = new { fields = new object[] { new { fieldName = "id", dataType = "Int64", isPrimary = true }, new { fieldName = "v", dataType = "FloatVector", elementTypeParams = new { dim = 4 } } } },
            indexParams = new[] { new { fieldName = "v", metricType = "L2", indexType = "HNSW", @params = new { M = 8, efConstruction = 16 } } },
        });
        var rng = new Random(3);
        const int segments = 140; // one sealed segment per insert + flush: more segment indexes than one etcd transaction may delete
        for (int i = 0; i < segments; i++)
        {
            await server.OkAsync("entities/insert", new { collectionName = "many", data = new[] { new { id = (long)i, v = Vectors.Random(rng, 4) } } });
            await server.OkAsync("collections/flush", new { collectionName = "many" });
        }
        var deadline = DateTime.UtcNow.AddSeconds(90);
        long indexed;
        do
        {
            indexed = (await server.OkAsync("indexes/describe", new { collectionName = "many", indexName = "v" }))!.AsArray()[0]!["indexedRows"]!.GetValue<long>();
            if (indexed == segments)
                break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(segments, indexed);
        var meta = server.Services.GetRequiredService<IMetaStore>();
        Assert.IsType<EtcdMetaStore>(meta);
        Assert.Equal(segments, (await meta.ScanPrefixAsync("catalog/segment-indexes/", CancellationToken.None)).Count);

        await server.OkAsync("collections/release", new { collectionName = "many" });
        await server.OkAsync("indexes/drop", new { collectionName = "many", indexName = "v" });
        Assert.Empty((await server.OkAsync("indexes/list", new { collectionName = "many" }))!.AsArray());
        Assert.Empty(await meta.ScanPrefixAsync("catalog/segment-indexes/", CancellationToken.None));
    }
}
