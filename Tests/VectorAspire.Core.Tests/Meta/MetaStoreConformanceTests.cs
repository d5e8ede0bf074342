using System.Text;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Meta;

/// <summary>
/// Behaviour every <see cref="IMetaStore"/> provider must have. A provider's test class subclasses this and supplies
/// <see cref="OpenStore"/>, which must reach the same storage each time within one test and fresh storage per test.
/// Lease tests move time with <see cref="AdvanceTime"/>: by default the <see cref="FakeTimeProvider"/> handed to
/// <see cref="OpenStore"/>; a provider that cannot use a fake clock (etcd) overrides it to really wait.
/// </summary>
public abstract class MetaStoreConformanceTests : IAsyncLifetime
{
    private static readonly TimeSpan s_watchTimeout = TimeSpan.FromSeconds(20);
    private IMetaStore? _store;

    protected FakeTimeProvider Clock { get; } = new();

    protected IMetaStore Store => _store ?? throw new InvalidOperationException("store not opened");

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract ValueTask<IMetaStore> OpenStore(TimeProvider time);

    protected virtual ValueTask DisposeStorage() => ValueTask.CompletedTask;

    protected virtual Task AdvanceTime(TimeSpan delta)
    {
        Clock.Advance(delta);
        return Task.CompletedTask;
    }

    public async Task InitializeAsync() => _store = await OpenStore(Clock);

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await DisposeStorage();
    }

    /// <summary>Closes the store and opens it again over the same storage.</summary>
    protected async Task Reopen()
    {
        await Store.DisposeAsync();
        _store = null;
        _store = await OpenStore(Clock);
    }

    protected static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    protected static string S(byte[] b) => Encoding.UTF8.GetString(b);

    /// <summary>Reads <paramref name="count"/> events from a watch, failing after a deadline instead of hanging.</summary>
    protected static async Task<List<WatchEvent>> Take(IAsyncEnumerator<WatchEvent> watch, int count)
    {
        var events = new List<WatchEvent>();
        while (events.Count < count)
        {
            Task<bool> next = watch.MoveNextAsync().AsTask();
            if (await Task.WhenAny(next, Task.Delay(s_watchTimeout)) != next)
            {
                Assert.Fail($"watch produced {events.Count} of {count} expected events within {s_watchTimeout}");
            }

            Assert.True(await next, "watch ended early");
            events.Add(watch.Current);
        }

        return events;
    }

    [Fact]
    public async Task PutThenGetTracksVersionsAndRevisions()
    {
        long r1 = await Store.PutAsync("k", B("v1"), 0, Ct);
        KeyValue? kv = await Store.GetAsync("k", Ct);
        Assert.NotNull(kv);
        Assert.Equal(("k", "v1", r1, r1, 1L, 0L), (kv.Key, S(kv.Value), kv.CreateRevision, kv.ModRevision, kv.Version, kv.LeaseId));

        long r2 = await Store.PutAsync("k", B("v2"), 0, Ct);
        Assert.True(r2 > r1);
        kv = await Store.GetAsync("k", Ct);
        Assert.Equal(("v2", r1, r2, 2L), (S(kv!.Value), kv.CreateRevision, kv.ModRevision, kv.Version));
        Assert.Equal(r2, await Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task MissingKeyReadsAsNull()
    {
        Assert.Null(await Store.GetAsync("absent", Ct));
        Assert.Empty(await Store.ScanPrefixAsync("absent/", Ct));
    }

    [Fact]
    public async Task DeleteRemovesKeyAndRecreationStartsAtVersionOne()
    {
        await Store.PutAsync("k", B("v"), 0, Ct);
        long before = await Store.GetRevisionAsync(Ct);
        Assert.True(await Store.DeleteAsync("k", Ct));
        long afterDelete = await Store.GetRevisionAsync(Ct);
        Assert.True(afterDelete > before);
        Assert.False(await Store.DeleteAsync("k", Ct));
        Assert.Equal(afterDelete, await Store.GetRevisionAsync(Ct));
        Assert.Null(await Store.GetAsync("k", Ct));

        long r = await Store.PutAsync("k", B("again"), 0, Ct);
        KeyValue? kv = await Store.GetAsync("k", Ct);
        Assert.Equal((1L, r), (kv!.Version, kv.CreateRevision));
    }

    [Fact]
    public async Task ScanPrefixReturnsOnlyMatchingKeysInOrdinalOrder()
    {
        string[] keys = ["coll/2", "coll/10", "coll/1", "coll", "colm/1", "col/x", "coll/B", "coll/a", "coll/é"];
        foreach (string key in keys)
        {
            await Store.PutAsync(key, B("v-" + key), 0, Ct);
        }

        IReadOnlyList<KeyValue> found = await Store.ScanPrefixAsync("coll/", Ct);
        Assert.Equal(["coll/1", "coll/10", "coll/2", "coll/B", "coll/a", "coll/é"], found.Select(k => k.Key).ToArray());
        Assert.All(found, k => Assert.Equal("v-" + k.Key, S(k.Value)));
        Assert.Equal(keys.Length, (await Store.ScanPrefixAsync("", Ct)).Count);
    }

    [Fact]
    public async Task DeletePrefixRemovesOnlyThatPrefixInOneRevision()
    {
        foreach (string key in new[] { "p/1", "p/2", "p/3", "q/1", "p" })
        {
            await Store.PutAsync(key, B("v"), 0, Ct);
        }

        long before = await Store.GetRevisionAsync(Ct);
        Assert.Equal(3, await Store.DeletePrefixAsync("p/", Ct));
        Assert.Equal(before + 1, await Store.GetRevisionAsync(Ct));
        Assert.Equal(["p", "q/1"], (await Store.ScanPrefixAsync("", Ct)).Select(k => k.Key).ToArray());
        Assert.Equal(0, await Store.DeletePrefixAsync("p/", Ct));
        Assert.Equal(before + 1, await Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task CompareAndSwapCreatesOnlyWhenAbsent()
    {
        TxnResult first = await Store.TxnAsync([TxnCompare.KeyAbsent("lock")], [TxnOp.Put("lock", B("a"))], [], Ct);
        Assert.True(first.Succeeded);
        TxnResult second = await Store.TxnAsync([TxnCompare.KeyAbsent("lock")], [TxnOp.Put("lock", B("b"))],
            [TxnOp.Put("lost", B("b"))], Ct);
        Assert.False(second.Succeeded);
        Assert.Equal("a", S((await Store.GetAsync("lock", Ct))!.Value));
        Assert.Equal("b", S((await Store.GetAsync("lost", Ct))!.Value));
        Assert.Equal(await Store.GetRevisionAsync(Ct), second.Revision);
    }

    [Fact]
    public async Task CompareAndSwapOnModRevisionDetectsConcurrentChange()
    {
        long r1 = await Store.PutAsync("cfg", B("1"), 0, Ct);
        Assert.True((await Store.TxnAsync([TxnCompare.ModRevisionIs("cfg", r1)], [TxnOp.Put("cfg", B("2"))], [], Ct)).Succeeded);
        TxnResult stale = await Store.TxnAsync([TxnCompare.ModRevisionIs("cfg", r1)], [TxnOp.Put("cfg", B("3"))], [], Ct);
        Assert.False(stale.Succeeded);
        Assert.Equal("2", S((await Store.GetAsync("cfg", Ct))!.Value));
    }

    [Fact]
    public async Task CompareOperatorsOnVersionModRevisionAndValue()
    {
        long r = await Store.PutAsync("k", B("m"), 0, Ct);
        await Store.PutAsync("k", B("m"), 0, Ct); // version 2

        async Task<bool> Check(TxnCompare compare) => (await Store.TxnAsync([compare], [], [], Ct)).Succeeded;

        Assert.True(await Check(new TxnCompare("k", CompareTarget.Version, CompareOp.Equal, 2)));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.Version, CompareOp.NotEqual, 1)));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.Version, CompareOp.Greater, 1)));
        Assert.False(await Check(new TxnCompare("k", CompareTarget.Version, CompareOp.Less, 2)));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.ModRevision, CompareOp.Greater, r)));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.ModRevision, CompareOp.Less, r + 100)));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.Value, CompareOp.Equal, Value: B("m"))));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.Value, CompareOp.Greater, Value: B("a"))));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.Value, CompareOp.Less, Value: B("n"))));
        Assert.True(await Check(new TxnCompare("k", CompareTarget.Value, CompareOp.NotEqual, Value: B("x"))));
        Assert.False(await Check(new TxnCompare("missing", CompareTarget.Value, CompareOp.NotEqual, Value: B("x"))));
        Assert.True(await Check(new TxnCompare("missing", CompareTarget.ModRevision, CompareOp.Equal, 0)));
    }

    [Fact]
    public async Task TransactionAppliesAllOpsAtOneRevision()
    {
        await Store.PutAsync("old/1", B("x"), 0, Ct);
        await Store.PutAsync("old/2", B("x"), 0, Ct);
        TxnResult result = await Store.TxnAsync([], [TxnOp.Put("a", B("1")), TxnOp.Put("b", B("2")), TxnOp.DeletePrefix("old/")], [], Ct);
        Assert.True(result.Succeeded);
        Assert.Equal(result.Revision, (await Store.GetAsync("a", Ct))!.ModRevision);
        Assert.Equal(result.Revision, (await Store.GetAsync("b", Ct))!.ModRevision);
        Assert.Empty(await Store.ScanPrefixAsync("old/", Ct));
        Assert.Equal(result.Revision, await Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task FailedTransactionLeavesNothingBehind()
    {
        long before = await Store.GetRevisionAsync(Ct);
        await Assert.ThrowsAsync<LeaseNotFoundException>(async () =>
            await Store.TxnAsync([], [TxnOp.Put("a", B("1")), TxnOp.Put("b", B("2"), leaseId: 987654)], [], Ct));
        Assert.Null(await Store.GetAsync("a", Ct));
        Assert.Equal(before, await Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task WatchReplaysFromARevisionThenStreamsLiveEvents()
    {
        await Store.PutAsync("w/1", B("a"), 0, Ct);
        long r2 = await Store.PutAsync("w/2", B("b"), 0, Ct);
        await Store.PutAsync("other", B("x"), 0, Ct);
        await Store.DeleteAsync("w/1", Ct);

        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watch = Store.WatchAsync("w/", r2, cts.Token).GetAsyncEnumerator(cts.Token);
        List<WatchEvent> replayed = await Take(watch, 2);
        Assert.Equal([(WatchEventKind.Put, "w/2", "b"), (WatchEventKind.Delete, "w/1", "")],
            replayed.Select(e => (e.Kind, e.Key, S(e.Value))).ToArray());
        Assert.Equal(r2, replayed[0].Revision);

        long r5 = await Store.PutAsync("w/3", B("c"), 0, Ct);
        await Store.PutAsync("other", B("y"), 0, Ct);
        long r7 = await Store.PutAsync("w/1", B("d"), 0, Ct);
        List<WatchEvent> live = await Take(watch, 2);
        Assert.Equal([("w/3", r5), ("w/1", r7)], live.Select(e => (e.Key, e.Revision)).ToArray());
        await cts.CancelAsync();
    }

    [Fact]
    public async Task WatchFromZeroSeesOnlyFutureChanges()
    {
        await Store.PutAsync("f/old", B("a"), 0, Ct);
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watch = Store.WatchAsync("f/", 0, cts.Token).GetAsyncEnumerator(cts.Token);
        Task<List<WatchEvent>> first = Take(watch, 1);
        long r = await Store.PutAsync("f/new", B("b"), 0, Ct);
        WatchEvent e = (await first)[0];
        Assert.Equal(("f/new", r), (e.Key, e.Revision));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task WatchStartedDuringWritesMissesAndRepeatsNothing()
    {
        const int writes = 300;
        using var cts = new CancellationTokenSource();
        long start = await Store.PutAsync("c/0", B("0"), 0, Ct);
        Task writer = Task.Run(async () =>
        {
            for (int i = 1; i < writes; i++)
            {
                await Store.PutAsync($"c/{i % 17}", B(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, Ct);
            }
        });
        await Task.Delay(5); // let the writer get going; correctness does not depend on this
        await using IAsyncEnumerator<WatchEvent> watch = Store.WatchAsync("c/", start, cts.Token).GetAsyncEnumerator(cts.Token);
        List<WatchEvent> events = await Take(watch, writes);
        await writer;
        Assert.Equal(Enumerable.Range(0, writes).Select(i => start + i), events.Select(e => e.Revision));
        Assert.Equal(Enumerable.Range(0, writes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            events.Select(e => S(e.Value)));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task LeaseExpiryDeletesItsKeysAndKeepAliveExtendsIt()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(10), Ct);
        await Store.PutAsync("session/node-1", B("alive"), lease, Ct);
        await Store.PutAsync("session/keep", B("no lease"), 0, Ct);
        Assert.Equal(lease, (await Store.GetAsync("session/node-1", Ct))!.LeaseId);

        await AdvanceTime(TimeSpan.FromSeconds(6));
        Assert.True(await Store.KeepAliveAsync(lease, Ct));
        await AdvanceTime(TimeSpan.FromSeconds(6)); // 12 s after grant, 6 s after renewal
        Assert.NotNull(await Store.GetAsync("session/node-1", Ct));

        await AdvanceTime(TimeSpan.FromSeconds(5));
        Assert.Null(await Store.GetAsync("session/node-1", Ct));
        Assert.NotNull(await Store.GetAsync("session/keep", Ct));
        Assert.False(await Store.KeepAliveAsync(lease, Ct));
        await Assert.ThrowsAsync<LeaseNotFoundException>(async () => await Store.PutAsync("session/x", B("v"), lease, Ct));
    }

    [Fact]
    public async Task ExpiredLeaseKeysAreDeletedWithoutFurtherCallsAndWatchersSeeIt()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(3), Ct);
        long r = await Store.PutAsync("node/1", B("up"), lease, Ct);
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watch = Store.WatchAsync("node/", r + 1, cts.Token).GetAsyncEnumerator(cts.Token);
        Task<List<WatchEvent>> next = Take(watch, 1);
        await AdvanceTime(TimeSpan.FromSeconds(10));
        WatchEvent e = (await next)[0];
        Assert.Equal((WatchEventKind.Delete, "node/1"), (e.Kind, e.Key));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task RevokeLeaseDeletesItsKeys()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromMinutes(1), Ct);
        long other = await Store.GrantLeaseAsync(TimeSpan.FromMinutes(1), Ct);
        Assert.NotEqual(lease, other);
        await Store.PutAsync("l/1", B("a"), lease, Ct);
        await Store.PutAsync("l/2", B("b"), lease, Ct);
        await Store.PutAsync("l/3", B("c"), other, Ct);
        await Store.RevokeLeaseAsync(lease, Ct);
        Assert.Equal(["l/3"], (await Store.ScanPrefixAsync("l/", Ct)).Select(k => k.Key).ToArray());
        Assert.False(await Store.KeepAliveAsync(lease, Ct));
        Assert.True(await Store.KeepAliveAsync(other, Ct));
    }

    [Fact]
    public async Task DataRevisionsAndLeasesSurviveReopen()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromMinutes(1), Ct);
        await Store.PutAsync("d/1", B("one"), 0, Ct);
        long r = await Store.PutAsync("d/2", B("two"), lease, Ct);
        await Reopen();
        Assert.Equal(r, await Store.GetRevisionAsync(Ct));
        Assert.Equal("two", S((await Store.GetAsync("d/2", Ct))!.Value));
        Assert.True(await Store.KeepAliveAsync(lease, Ct));
        Assert.True(await Store.PutAsync("d/3", B("three"), 0, Ct) > r);
        Assert.NotEqual(lease, await Store.GrantLeaseAsync(TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task ConcurrentCompareAndSwapIncrementsLoseNoUpdate()
    {
        const int workers = 4;
        const int increments = 25;
        await Store.PutAsync("counter", B("0"), 0, Ct);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < increments; i++)
            {
                while (true)
                {
                    KeyValue current = (await Store.GetAsync("counter", Ct))!;
                    int next = int.Parse(S(current.Value), System.Globalization.CultureInfo.InvariantCulture) + 1;
                    TxnResult result = await Store.TxnAsync([TxnCompare.ModRevisionIs("counter", current.ModRevision)],
                        [TxnOp.Put("counter", B(next.ToString(System.Globalization.CultureInfo.InvariantCulture)))], [], Ct);
                    if (result.Succeeded)
                    {
                        break;
                    }
                }
            }
        })));

        KeyValue final = (await Store.GetAsync("counter", Ct))!;
        Assert.Equal((workers * increments).ToString(System.Globalization.CultureInfo.InvariantCulture), S(final.Value));
        Assert.Equal(1 + (workers * increments), final.Version);
    }

    [Fact]
    public async Task WatchEndsWhenTheStoreIsDisposed()
    {
        await using IAsyncEnumerator<WatchEvent> watch = Store.WatchAsync("x/", 0, Ct).GetAsyncEnumerator(Ct);
        Task<bool> next = watch.MoveNextAsync().AsTask();
        await Store.DisposeAsync();
        Assert.False(await next.WaitAsync(TimeSpan.FromSeconds(20)));
    }
}
