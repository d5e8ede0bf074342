using System.Text.Json.Nodes;

namespace VectorAspire.Integration.Tests;

/// <summary>Restart = catalog + sealed segments + delete logs + WAL replay from each shard's checkpoint.</summary>
public class RestartTests : ServerTests
{
    private static readonly Dictionary<string, string?> s_smallSegments = new()
    {
        ["VectorAspire:StreamingNode:SealRows"] = "50",
        ["VectorAspire:Wal:SegmentBytes"] = "16384",
    };

    private static async Task<long[]> AllIdsAsync(TestServer server, string collection)
    {
        var rows = (await server.OkAsync("entities/query", new { collectionName = collection, filter = "id >= 0", outputFields = new[] { "id" }, limit = 16384, consistencyLevel = "Strong" }))!.AsArray();
        return [.. rows.Select(r => r!["id"]!.GetValue<long>())];
    }

    [Fact]
    public async Task RestartKeepsFlushedGrowingAndDeletedState()
    {
        string dir = TempDir.Create();
        var rng = new Random(7);
        var expected = new SortedSet<long>();
        await using (var server = await StartServerAsync(dir, s_smallSegments))
        {
            await server.OkAsync("collections/create", new { collectionName = "r", dimension = 8, metricType = "L2" });
            await server.OkAsync("partitions/create", new { collectionName = "r", partitionName = "p1" });
            for (int batch = 0; batch < 5; batch++)
            {
                var rows = Enumerable.Range(batch * 40, 40).Select(i => new { id = (long)i, vector = Vectors.Random(rng, 8), label = $"L{i}" }).ToArray();
                await server.OkAsync("entities/insert", new { collectionName = "r", data = rows, partitionName = batch % 2 == 0 ? "_default" : "p1" });
                foreach (var r in rows)
                    expected.Add(r.id);
            }
            // One flush persisting a partition-scoped and an unscoped delete: two delete logs, one catalog commit.
            await server.OkAsync("entities/delete", new { collectionName = "r", partitionName = "p1", id = new[] { 50L } });
            await server.OkAsync("entities/delete", new { collectionName = "r", id = new[] { 121L } });
            expected.ExceptWith([50, 121]);
            await server.OkAsync("collections/flush", new { collectionName = "r" });
            // Growing data and deletes after the flush live only in the WAL until the next flush.
            await server.OkAsync("entities/insert", new { collectionName = "r", data = new[] { new { id = 1000L, vector = Vectors.Random(rng, 8), label = "late" } } });
            expected.Add(1000);
            await server.OkAsync("entities/delete", new { collectionName = "r", filter = "id in [3, 45, 150]" });
            await server.OkAsync("entities/delete", new { collectionName = "r", id = new[] { 1000L } });
            expected.ExceptWith([3, 45, 150, 1000]);
            await server.OkAsync("entities/upsert", new { collectionName = "r", data = new[] { new { id = 7L, vector = Vectors.Random(rng, 8), label = "upserted" } } });
            Assert.Equal(expected, await AllIdsAsync(server, "r"));
            Assert.True(Directory.EnumerateFiles(Path.Combine(dir, "objects"), "*", SearchOption.AllDirectories).Any(), "flushed segments are in the object store");
        }

        await using (var server = await StartServerAsync(dir, s_smallSegments))
        {
            Assert.Equal(expected, await AllIdsAsync(server, "r"));
            var seven = (await server.OkAsync("entities/get", new { collectionName = "r", id = 7 }))!.AsArray().Single()!;
            Assert.Equal("upserted", seven["label"]!.GetValue<string>());
            Assert.Equal(["_default", "p1"], (await server.OkAsync("partitions/list", new { collectionName = "r" }))!.AsArray().Select(p => p!.GetValue<string>()));
            // Writes continue after recovery, and a second restart still agrees.
            await server.OkAsync("entities/insert", new { collectionName = "r", data = new[] { new { id = 2000L, vector = Vectors.Random(rng, 8), label = "after" } } });
            expected.Add(2000);
            await server.OkAsync("entities/delete", new { collectionName = "r", filter = "id in [10]" });
            expected.Remove(10);
        }

        await using (var server = await StartServerAsync(dir, s_smallSegments))
            Assert.Equal(expected, await AllIdsAsync(server, "r"));
    }

    [Fact]
    public async Task SealedSegmentsAreSearchedAndTheWalIsTruncated()
    {
        string dir = TempDir.Create();
        await using var server = await StartServerAsync(dir, s_smallSegments);
        await server.OkAsync("collections/create", new { collectionName = "s", dimension = 4, metricType = "L2" });
        var rng = new Random(3);
        var all = new List<(long Id, float[] V)>();
        for (int b = 0; b < 6; b++)
        {
            var rows = Enumerable.Range(b * 30, 30).Select(i => (Id: (long)i, V: Vectors.Random(rng, 4))).ToList();
            all.AddRange(rows);
            await server.OkAsync("entities/insert", new { collectionName = "s", data = rows.Select(r => new { id = r.Id, vector = r.V }).ToArray() });
        }
        await server.OkAsync("collections/flush", new { collectionName = "s" });
        var segments = Directory.GetDirectories(Path.Combine(dir, "objects", "segments"), "*", SearchOption.AllDirectories).Length;
        Assert.True(segments >= 3, $"expected several sealed segments, found {segments} directories");
        var query = Vectors.Random(rng, 4);
        var expected = all.OrderBy(r => L2(r.V, query)).Take(10).Select(r => r.Id).ToArray();
        var hits = (await server.OkAsync("entities/search", new { collectionName = "s", data = new[] { query }, limit = 10, consistencyLevel = "Strong" }))!.AsArray();
        Assert.Equal(expected, hits.Select(h => h!["id"]!.GetValue<long>()));
        long walBytes = Directory.EnumerateFiles(Path.Combine(dir, "wal"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(walBytes < 64 * 1024, $"WAL should be truncated after the flush, holds {walBytes} bytes");
    }

    private static float L2(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
            s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }
}
