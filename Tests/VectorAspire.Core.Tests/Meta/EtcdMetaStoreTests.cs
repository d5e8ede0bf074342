using System.Text;
using EtcdClient = dotnet_etcd.EtcdClient;
using CompactionRequest = Etcdserverpb.CompactionRequest;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Meta;

/// <summary>etcd-only behaviour: reconnecting watches, real lease timing, the txn op limit, namespaces, paging.</summary>
public sealed class EtcdMetaStoreTests(EtcdServerFixture etcd) : IClassFixture<EtcdServerFixture>
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => CancellationToken.None;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task<List<WatchEvent>> Take(IAsyncEnumerator<WatchEvent> watch, int count)
    {
        var events = new List<WatchEvent>();
        while (events.Count < count)
        {
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(s_deadline), "watch ended early");
            events.Add(watch.Current);
        }

        return events;
    }

    [Fact]
    public async Task WatchResumesAfterTheServerRestartsWithoutLosingOrRepeatingEvents()
    {
        var log = new RecordingLogger<EtcdMetaStore>();
        await using var store = new EtcdMetaStore(etcd.Server.CreateOptions(), log);
        long first = await store.PutAsync("w/0", B("0"), 0, Ct);
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watch = store.WatchAsync("w/", first, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.Equal(first, (await Take(watch, 1))[0].Revision);

        await etcd.Server.KillAsync();
        await etcd.Server.RestartAsync();

        // Written while the watch stream is down or reconnecting: the watch must replay them from its position.
        var written = new List<long>();
        for (int i = 1; i <= 5; i++)
        {
            written.Add(await PutWhenReachable(store, $"w/{i}", B(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        List<WatchEvent> events = await Take(watch, 5);
        Assert.Equal(written, events.Select(e => e.Revision));
        Assert.Equal(["w/1", "w/2", "w/3", "w/4", "w/5"], events.Select(e => e.Key));
        Assert.Contains(log.Messages, m => m.Contains($"reconnecting from revision {first + 1}", StringComparison.Ordinal));
        await cts.CancelAsync();
    }

    /// <summary>Right after a restart the client may still be in its reconnect backoff; the test waits that out.</summary>
    private static async Task<long> PutWhenReachable(EtcdMetaStore store, string key, byte[] value)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (true)
        {
            try
            {
                return await store.PutAsync(key, value, 0, Ct);
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task KeptAliveLeaseOutlivesItsTtlAndExpiresOnceKeepAliveStops()
    {
        await using var store = new EtcdMetaStore(etcd.Server.CreateOptions());
        long lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(2), Ct);
        await store.PutAsync("session", B("up"), lease, Ct);
        var renewFor = System.Diagnostics.Stopwatch.StartNew();
        while (renewFor.Elapsed < TimeSpan.FromSeconds(5)) // 2.5 × the TTL
        {
            Assert.True(await store.KeepAliveAsync(lease, Ct));
            await Task.Delay(500);
        }

        Assert.NotNull(await store.GetAsync("session", Ct));
        var expiry = System.Diagnostics.Stopwatch.StartNew();
        while (await store.GetAsync("session", Ct) is not null)
        {
            Assert.True(expiry.Elapsed < s_deadline, "the lease did not expire after keep-alives stopped");
            await Task.Delay(100);
        }

        Assert.False(await store.KeepAliveAsync(lease, Ct));
    }

    [Fact]
    public async Task TransactionOverTheOpLimitIsRefusedAndOneAtTheLimitCommits()
    {
        await using var store = new EtcdMetaStore(etcd.Server.CreateOptions());
        TxnOp[] atLimit = [.. Enumerable.Range(0, 128).Select(i => TxnOp.Put($"t/{i:D3}", B("v")))];
        Assert.True((await store.TxnAsync([], atLimit, [], Ct)).Succeeded);
        Assert.Equal(128, (await store.ScanPrefixAsync("t/", Ct)).Count);

        long before = await store.GetRevisionAsync(Ct);
        TxnOp[] overLimit = [.. Enumerable.Range(0, 129).Select(i => TxnOp.Put($"u/{i:D3}", B("v")))];
        var e = await Assert.ThrowsAsync<TransactionTooLargeException>(async () => await store.TxnAsync([], overLimit, [], Ct));
        Assert.Equal((129, 128), (e.Count, e.Limit));
        TxnCompare[] compares = [.. Enumerable.Range(0, 129).Select(i => TxnCompare.KeyAbsent($"c/{i}"))];
        await Assert.ThrowsAsync<TransactionTooLargeException>(async () => await store.TxnAsync(compares, [], [], Ct));
        Assert.Empty(await store.ScanPrefixAsync("u/", Ct));
        Assert.Equal(before, await store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task TransactionWritingOneKeyTwiceIsRefusedAsInvalid()
    {
        await using var store = new EtcdMetaStore(etcd.Server.CreateOptions());
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.TxnAsync([], [TxnOp.Put("k", B("1")), TxnOp.Put("k", B("2"))], [], Ct));
        Assert.Null(await store.GetAsync("k", Ct));
    }

    [Fact]
    public async Task StoresWithDifferentPrefixesOnOneEtcdDoNotSeeEachOther()
    {
        await using var a = new EtcdMetaStore(etcd.Server.CreateOptions());
        await using var b = new EtcdMetaStore(etcd.Server.CreateOptions());
        await a.PutAsync("k", B("from a"), 0, Ct);
        await b.PutAsync("k", B("from b"), 0, Ct);
        await a.PutAsync("only-a", B("x"), 0, Ct);

        Assert.Equal("from a", Encoding.UTF8.GetString((await a.GetAsync("k", Ct))!.Value));
        Assert.Equal(["k"], (await b.ScanPrefixAsync("", Ct)).Select(k => k.Key));
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watchB = b.WatchAsync("", 0, cts.Token).GetAsyncEnumerator(cts.Token);
        Task<List<WatchEvent>> next = Take(watchB, 1);
        Assert.Equal(2, await a.DeletePrefixAsync("", Ct));
        long r = await b.PutAsync("k2", B("y"), 0, Ct);
        Assert.Equal(("k2", r), ((await next)[0].Key, (await next)[0].Revision));
        Assert.Equal("from b", Encoding.UTF8.GetString((await b.GetAsync("k", Ct))!.Value));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ScanReadsLargeRangesPageByPageInKeyOrder()
    {
        EtcdMetaStoreOptions options = etcd.Server.CreateOptions();
        options.ScanPageSize = 7;
        await using var store = new EtcdMetaStore(options);
        string[] keys = [.. Enumerable.Range(0, 50).Select(i => $"s/{i:D2}")];
        foreach (string key in keys.Reverse())
        {
            await store.PutAsync(key, B(key), 0, Ct);
        }

        await store.PutAsync("s0", B("outside"), 0, Ct);
        IReadOnlyList<KeyValue> found = await store.ScanPrefixAsync("s/", Ct);
        Assert.Equal(keys, found.Select(k => k.Key));
        Assert.All(found, k => Assert.Equal(k.Key, Encoding.UTF8.GetString(k.Value)));
    }

    [Fact]
    public async Task WatchFromACompactedRevisionThrowsRevisionCompacted()
    {
        await using var store = new EtcdMetaStore(etcd.Server.CreateOptions());
        long old = await store.PutAsync("h/k", B("1"), 0, Ct);
        long current = await store.PutAsync("h/k", B("2"), 0, Ct);
        using (var client = new EtcdClient(etcd.Server.ClientUrl))
        {
            await client.CompactAsync(new CompactionRequest { Revision = current, Physical = true });
        }

        var e = await Assert.ThrowsAsync<RevisionCompactedException>(async () =>
        {
            await foreach (WatchEvent _ in store.WatchAsync("h/", old, Ct))
            {
            }
        });
        Assert.Equal((old, current), (e.RequestedRevision, e.CompactedRevision));

        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watch = store.WatchAsync("h/", current, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.Equal(current, (await Take(watch, 1))[0].Revision);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task StoreWorksThroughAnEndpointListThatIncludesADeadMember()
    {
        EtcdMetaStoreOptions options = etcd.Server.CreateOptions();
        options.Endpoints = [$"http://127.0.0.1:{ServerProcess.FreePort()}", etcd.Server.ClientUrl];
        await using var store = new EtcdMetaStore(options);
        for (int i = 0; i < 10; i++)
        {
            long r = await store.PutAsync($"k{i}", B("v"), 0, Ct);
            Assert.Equal(r, (await store.GetAsync($"k{i}", Ct))!.ModRevision);
        }
    }

    [Fact]
    public async Task ConnectionStringListsEndpointsOrNamesEndpointsAndPrefix()
    {
        var options = new EtcdMetaStoreOptions();
        MetaStoreServiceCollectionExtensions.ApplyConnectionString(options, "http://10.0.0.1:2379, http://10.0.0.2:2379");
        Assert.Equal(["http://10.0.0.1:2379", "http://10.0.0.2:2379"], options.Endpoints);
        MetaStoreServiceCollectionExtensions.ApplyConnectionString(options, $"Endpoints={etcd.Server.ClientUrl};Prefix=cluster-a/");
        Assert.Equal([etcd.Server.ClientUrl], options.Endpoints);
        Assert.Equal("cluster-a/", options.Prefix);
        Assert.Throws<ArgumentException>(() => MetaStoreServiceCollectionExtensions.ApplyConnectionString(options, "Host=x"));
    }
}
