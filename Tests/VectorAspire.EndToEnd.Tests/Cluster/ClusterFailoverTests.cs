using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace VectorAspire.EndToEnd.Tests.Cluster;

/// <summary>
/// kill -9 of one role instance at a time under a running insert stream and searches: afterwards every acknowledged
/// write is present exactly once, nothing unacknowledged appears from nowhere, searches recover, and the time to
/// recover is printed. The killed instance is started again at the end, so each test starts from a whole cluster.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests(LocalCluster cluster, ITestOutputHelper output)
{
    [Theory]
    [InlineData("streamingnode")]
    [InlineData("leader")]
    [InlineData("querynode")]
    [InlineData("datanode")]
    [InlineData("proxy")]
    public async Task KillingOneInstanceLosesNoAcknowledgedWriteAndServiceRecovers(string role)
    {
        string name = "failover_" + role;
        // 16 shards span all 16 WAL channels, so every StreamingNode serves some of them and every QueryNode holds
        // some of the flushed segments: whichever instance is killed, this collection loses something.
        using var setup = new RestClient(cluster.Proxies[1], TimeSpan.FromMinutes(3)); // 16 shards flush one after another
        await setup.OkAsync("collections/create", new { collectionName = name, dimension = 8, @params = new { shardsNum = 16 } });
        var load = new Workload(cluster.Proxies, name);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        try
        {
            await load.WaitForAcksAsync(200, TimeSpan.FromSeconds(60));
            await setup.OkAsync("collections/flush", new { collectionName = name });
            var killed = Stopwatch.StartNew();
            load.MarkKill();
            output.WriteLine(await cluster.KillAsync(role, role == "streamingnode" ? BusiestStreamingNode() : 0));
            // A flush after the kill exercises the DataNodes and the flush path through the failover.
            await Retry(() => setup.OkAsync("collections/flush", new { collectionName = name }), TimeSpan.FromSeconds(120));
            await load.WaitForRecoveryAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{role}: longest stall after kill -9: writes {load.WriteRecovery.TotalSeconds:F2} s, searches {load.SearchRecovery.TotalSeconds:F2} s " +
                $"({load.WriteFailuresAfterKill} failed writes, {load.SearchFailuresAfterKill} failed searches); acked {load.Acked.Count}, unknown {load.Unknown.Count}");
            Assert.True(load.WriteRecovery < TimeSpan.FromSeconds(30), $"writes took {load.WriteRecovery} to recover");
            Assert.True(load.SearchRecovery < TimeSpan.FromSeconds(30), $"searches took {load.SearchRecovery} to recover");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            output.WriteLine((await cluster.HealAsync()).Trim().Split('\n')[^1]);
        }
        await load.VerifyAsync(cluster.Proxies[0]);
    }

    [Fact]
    public async Task AStreamingNodePausedWhileItsChannelsMoveCannotAppendWhenResumed()
    {
        const string name = "stale_writer";
        using var setup = new RestClient(cluster.Proxies[0], TimeSpan.FromMinutes(3));
        await setup.OkAsync("collections/create", new { collectionName = name, dimension = 8, @params = new { shardsNum = 16 } });
        var load = new Workload(cluster.Proxies, name);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        int pid = cluster.Pid("streamingnode-0");
        try
        {
            await load.WaitForAcksAsync(200, TimeSpan.FromSeconds(60));
            load.MarkKill();
            Signal("STOP", pid);
            // Paused past its lease: the Coordinator moves its channels; the survivor fences it and serves them.
            await load.WaitForRecoveryAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));
            Signal("CONT", pid);
            // Resumed, it still believes it owns its channels, and writes that were in flight to it try to commit.
            await Task.Delay(TimeSpan.FromSeconds(6));
            output.WriteLine($"longest stall after SIGSTOP: writes {load.WriteRecovery.TotalSeconds:F2} s, searches {load.SearchRecovery.TotalSeconds:F2} s; acked {load.Acked.Count}, unknown {load.Unknown.Count}");
            Assert.True(load.WriteRecovery < TimeSpan.FromSeconds(20), $"writes stalled {load.WriteRecovery} behind the paused node");
        }
        finally
        {
            Signal("CONT", pid);
            await stop.CancelAsync();
            await running;
        }
        await load.VerifyAsync(cluster.Proxies[1]);
        string log = cluster.Log("streamingnode-0");
        // Its WAL writer epoch was superseded: any commit it attempted after resuming was refused by the meta store.
        Assert.True(log.Contains("taken over by another streaming node", StringComparison.Ordinal) || log.Contains("Released channel", StringComparison.Ordinal),
            "the paused streaming node neither noticed the takeover nor released its channels:\n" + log[^Math.Min(log.Length, 4000)..]);
        output.WriteLine((await cluster.HealAsync()).Trim().Split('\n')[^1]);
    }

    /// <summary>The StreamingNode serving the most channels now (from its log), so the kill surely hits this collection.</summary>
    private int BusiestStreamingNode()
    {
        int Served(int n)
        {
            string log = cluster.Log($"streamingnode-{n}");
            return CountOf(log, "Serving channel ") - CountOf(log, "Released channel ");
        }
        static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
        return Served(1) > Served(0) ? 1 : 0;
    }

    private static void Signal(string signal, int pid)
    {
        using var p = Process.Start("kill", $"-{signal} {pid}");
        p.WaitForExit();
    }

    private static async Task Retry(Func<Task> action, TimeSpan budget)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (Exception) when (sw.Elapsed < budget)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// Inserts batches of fresh ids through the Proxies (moving to the next Proxy when one does not answer) and
    /// searches in parallel. An id is "acked" when the insert returned success, "unknown" when it failed in any way
    /// (it may or may not have been applied; the client would retry it).
    /// </summary>
    private sealed class Workload(IReadOnlyList<Uri> proxies, string collection)
    {
        private const int Batch = 20;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _nextId;
        private int _proxy;
        private TimeSpan _killAt = TimeSpan.MaxValue;
        private TimeSpan _lastWriteFailure = TimeSpan.Zero;
        private TimeSpan _lastSearchFailure = TimeSpan.Zero;
        private TimeSpan _lastWriteOk = TimeSpan.Zero;
        private TimeSpan _lastSearchOk = TimeSpan.Zero;
        private readonly Lock _lock = new();

        public ConcurrentDictionary<long, bool> Acked { get; } = new();

        public ConcurrentDictionary<long, bool> Unknown { get; } = new();

        public int WriteFailuresAfterKill { get; private set; }

        public int SearchFailuresAfterKill { get; private set; }

        /// <summary>The longest time without a successful write after the kill (retries inside the cluster show up here as stalls).</summary>
        public TimeSpan WriteRecovery { get; private set; }

        /// <summary>The longest time without a successful search after the kill.</summary>
        public TimeSpan SearchRecovery { get; private set; }

        public void MarkKill()
        {
            lock (_lock)
                _killAt = _clock.Elapsed;
        }

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(WriteLoopAsync(stop), SearchLoopAsync(stop));

        private async Task WriteLoopAsync(CancellationToken stop)
        {
            var clients = proxies.Select(p => new RestClient(p)).ToArray();
            var rng = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                long first = Interlocked.Add(ref _nextId, Batch) - Batch;
                var rows = new JsonArray();
                for (long id = first; id < first + Batch; id++)
                    rows.Add(new JsonObject { ["id"] = id, ["vector"] = new JsonArray([.. Enumerable.Range(0, 8).Select(_ => JsonValue.Create((float)rng.NextDouble()))]) });
                bool ok;
                try
                {
                    var reply = await clients[_proxy].CallAsync("entities/insert", new { collectionName = collection, data = rows }, CancellationToken.None);
                    ok = reply["code"]!.GetValue<int>() == 0;
                }
                catch (Exception)
                {
                    ok = false;
                    _proxy = (_proxy + 1) % clients.Length; // that Proxy may be gone: the next one
                }
                for (long id = first; id < first + Batch; id++)
                    (ok ? Acked : Unknown)[id] = true;
                lock (_lock)
                {
                    if (ok)
                    {
                        var now = _clock.Elapsed;
                        if (now > _killAt && now - Max(_lastWriteOk, _killAt) > WriteRecovery)
                            WriteRecovery = now - Max(_lastWriteOk, _killAt);
                        _lastWriteOk = now;
                    }
                    else
                    {
                        _lastWriteFailure = _clock.Elapsed;
                        if (_lastWriteFailure > _killAt)
                            WriteFailuresAfterKill++;
                    }
                }
                await Task.Delay(20, CancellationToken.None);
            }
            foreach (var c in clients)
                c.Dispose();
        }

        private async Task SearchLoopAsync(CancellationToken stop)
        {
            var clients = proxies.Select(p => new RestClient(p)).ToArray();
            int proxy = 1;
            while (!stop.IsCancellationRequested)
            {
                bool ok;
                try
                {
                    var reply = await clients[proxy].CallAsync("entities/search", new { collectionName = collection, data = new[] { new float[] { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f } }, limit = 5 }, CancellationToken.None);
                    ok = reply["code"]!.GetValue<int>() == 0 && reply["data"]!.AsArray().Count > 0;
                }
                catch (Exception)
                {
                    ok = false;
                    proxy = (proxy + 1) % clients.Length;
                }
                lock (_lock)
                {
                    if (ok)
                    {
                        var now = _clock.Elapsed;
                        if (now > _killAt && now - Max(_lastSearchOk, _killAt) > SearchRecovery)
                            SearchRecovery = now - Max(_lastSearchOk, _killAt);
                        _lastSearchOk = now;
                    }
                    else
                    {
                        _lastSearchFailure = _clock.Elapsed;
                        if (_lastSearchFailure > _killAt)
                            SearchFailuresAfterKill++;
                    }
                }
                await Task.Delay(50, CancellationToken.None);
            }
            foreach (var c in clients)
                c.Dispose();
        }

        public async Task WaitForAcksAsync(int count, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (Acked.Count < count)
            {
                Assert.True(sw.Elapsed < timeout, $"only {Acked.Count} writes acknowledged in {timeout}");
                await Task.Delay(100);
            }
        }

        /// <summary>Waits until writes and searches have both succeeded for 2 s in a row after the kill.</summary>
        public async Task WaitForRecoveryAsync(TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                lock (_lock)
                {
                    var now = _clock.Elapsed;
                    bool writes = _lastWriteOk > _killAt && now - Max(_lastWriteFailure, _killAt) > TimeSpan.FromSeconds(2);
                    bool searches = _lastSearchOk > _killAt && now - Max(_lastSearchFailure, _killAt) > TimeSpan.FromSeconds(2);
                    if (writes && searches)
                        return;
                }
                Assert.True(sw.Elapsed < timeout, $"the cluster did not recover within {timeout}");
                await Task.Delay(100);
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        /// <summary>Every acknowledged id exactly once; nothing but acknowledged or unknown ids.</summary>
        public async Task VerifyAsync(Uri proxy)
        {
            using var client = new RestClient(proxy);
            var ids = new List<long>();
            JsonNode? data = null;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    data = await client.OkAsync("entities/query", new { collectionName = collection, filter = "id >= 0", outputFields = new[] { "id" }, limit = 16384, consistencyLevel = "Strong" });
                    break;
                }
                catch (Exception) when (attempt < 60)
                {
                    await Task.Delay(500);
                }
            }
            foreach (var row in data!.AsArray())
                ids.Add(row!["id"]!.GetValue<long>());
            Assert.True(ids.Count < 16384, "too many rows for one query page");
            var duplicates = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"ids present more than once: {string.Join(",", duplicates.Take(20))}");
            var present = ids.ToHashSet();
            var lost = Acked.Keys.Where(id => !present.Contains(id)).Order().ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged ids are missing, e.g. {string.Join(",", lost.Take(20))}");
            var invented = present.Where(id => !Acked.ContainsKey(id) && !Unknown.ContainsKey(id)).ToList();
            Assert.Empty(invented);
            var count = await client.OkAsync("entities/query", new { collectionName = collection, filter = "id >= 0", outputFields = new[] { "count(*)" }, consistencyLevel = "Strong" });
            Assert.Equal(ids.Count, count![0]!["count(*)"]!.GetValue<long>());
        }
    }
}
