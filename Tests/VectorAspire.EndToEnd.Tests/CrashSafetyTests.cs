using System.Collections.Concurrent;

namespace VectorAspire.EndToEnd.Tests;

/// <summary>
/// kill -9 during a stream of acknowledged inserts and deletes, restart over the same data directory: every
/// acknowledged write is there, no row is there twice, and nothing appears that was never sent.
/// </summary>
public sealed class CrashSafetyTests
{
    private static readonly Dictionary<string, string> s_settings = new()
    {
        ["VectorAspire:StreamingNode:SealRows"] = "700",
        ["VectorAspire:Wal:SegmentBytes"] = "262144",
    };

    [Fact]
    public async Task AcknowledgedWritesSurviveSigkillAndRestart()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        var ackedInserts = new ConcurrentDictionary<long, bool>();
        var maybeInserts = new ConcurrentDictionary<long, bool>();
        var ackedDeletes = new ConcurrentDictionary<long, bool>();
        var maybeDeletes = new ConcurrentDictionary<long, bool>();
        long nextId = 0;
        bool killed = false;
        int seed = Environment.TickCount;

        var server = await ServerProcess.StartAsync(dir, s_settings);
        using (var client = new RestClient(server.Endpoint))
        {
            await client.OkAsync("collections/create", new { collectionName = "crash", dimension = 8, metricType = "L2" });
            using var stop = new CancellationTokenSource();
            async Task WriterAsync(int worker)
            {
                var rng = new Random(seed + worker);
                int batchNo = 0;
                while (!stop.IsCancellationRequested)
                {
                    batchNo++;
                    if (batchNo % 3 == 0 && !ackedInserts.IsEmpty)
                    {
                        var victims = ackedInserts.Keys.OrderBy(_ => rng.Next()).Take(10).ToArray();
                        foreach (var v in victims)
                            maybeDeletes[v] = true;
                        try
                        {
                            await client.OkAsync("entities/delete", new { collectionName = "crash", id = victims });
                            foreach (var v in victims)
                                ackedDeletes[v] = true;
                        }
                        catch (Exception) when (Volatile.Read(ref killed))
                        {
                            return;
                        }
                        continue;
                    }
                    var ids = Enumerable.Range(0, 50).Select(_ => Interlocked.Increment(ref nextId)).ToArray();
                    foreach (var id in ids)
                        maybeInserts[id] = true;
                    var rows = ids.Select(id => new { id, vector = Enumerable.Range(0, 8).Select(_ => (float)rng.NextDouble()).ToArray() }).ToArray();
                    try
                    {
                        await client.OkAsync("entities/insert", new { collectionName = "crash", data = rows });
                        foreach (var id in ids)
                            ackedInserts[id] = true;
                    }
                    catch (Exception) when (Volatile.Read(ref killed))
                    {
                        return;
                    }
                }
            }
            var writers = Enumerable.Range(0, 3).Select(WriterAsync).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (ackedInserts.Count < 4000 && DateTime.UtcNow < deadline && !writers.Any(w => w.IsFaulted))
                await Task.Delay(20);
            foreach (var w in writers.Where(w => w.IsFaulted))
                await w;
            Volatile.Write(ref killed, true);
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        await server.DisposeAsync();
        Assert.True(ackedInserts.Count >= 1000, $"only {ackedInserts.Count} inserts were acknowledged before the kill");

        await using var restarted = await ServerProcess.StartAsync(dir, s_settings);
        using var after = new RestClient(restarted.Endpoint);
        var present = new HashSet<long>();
        long cursor = -1;
        while (true)
        {
            var page = (await after.OkAsync("entities/query", new { collectionName = "crash", filter = $"id > {cursor}", outputFields = new[] { "id" }, limit = 10000, consistencyLevel = "Strong" }))!.AsArray();
            if (page.Count == 0)
                break;
            foreach (var row in page)
                Assert.True(present.Add(row!["id"]!.GetValue<long>()), "a row came back twice");
            cursor = page.Max(r => r!["id"]!.GetValue<long>());
        }
        string context = $"seed {seed}; acked inserts {ackedInserts.Count}, acked deletes {ackedDeletes.Count}\n{restarted.Log}";
        foreach (var id in ackedInserts.Keys)
        {
            if (!maybeDeletes.ContainsKey(id))
                Assert.True(present.Contains(id), $"acknowledged insert {id} is missing after the crash ({context})");
        }
        foreach (var id in ackedDeletes.Keys)
            Assert.False(present.Contains(id), $"acknowledged delete {id} came back after the crash ({context})");
        foreach (var id in present)
            Assert.True(maybeInserts.ContainsKey(id), $"row {id} was never sent ({context})");
        long rowCount = (await after.OkAsync("collections/get_stats", new { collectionName = "crash" }))!["rowCount"]!.GetValue<long>();
        Assert.InRange(rowCount, ackedInserts.Count, maybeInserts.Count);
    }
}
