using System.Buffers.Binary;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Tests.TestSupport;
using VectorAspire.Core.Time;

namespace VectorAspire.Core.Tests.Time;

public sealed class TimestampOracleTests : IAsyncLifetime
{
    private const string Key = "tso/bound";
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private SqliteMetaStore _store = null!;

    private static CancellationToken Ct => CancellationToken.None;

    public Task InitializeAsync()
    {
        _store = new SqliteMetaStore(_dir.Combine("meta.db"), _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public void HybridTimestampPacksPhysicalAndLogical()
    {
        ulong ts = HybridTimestamp.Compose(1_700_000_000_000, 5);
        Assert.Equal(1_700_000_000_000, HybridTimestamp.Physical(ts));
        Assert.Equal(5, HybridTimestamp.Logical(ts));
    }

    [Fact]
    public async Task ConcurrentCallersGetDisjointIncreasingRanges()
    {
        var oracle = new TimestampOracle(_store, Key, TimeProvider.System);
        var ranges = new List<(ulong First, int Count)>[8];
        await Task.WhenAll(Enumerable.Range(0, ranges.Length).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            var mine = ranges[t] = [];
            ulong previous = 0;
            for (int i = 0; i < 5000; i++)
            {
                int count = random.Next(1, 4);
                ulong first = await oracle.AllocateAsync(count, Ct);
                Assert.True(first > previous, "one caller's timestamps must increase");
                previous = first + (ulong)count - 1;
                mine.Add((first, count));
            }
        })));

        List<(ulong First, int Count)> all = [.. ranges.SelectMany(r => r).OrderBy(r => r.First)];
        for (int i = 1; i < all.Count; i++)
        {
            Assert.True(all[i].First >= all[i - 1].First + (ulong)all[i - 1].Count, $"ranges {all[i - 1]} and {all[i]} overlap");
        }
    }

    [Fact]
    public async Task TimestampsFollowTheClockAndOnlyWindowRenewalsWriteTheStore()
    {
        var oracle = new TimestampOracle(_store, Key, _clock, TimeSpan.FromSeconds(3));
        ulong first = await oracle.AllocateAsync(1, Ct);
        Assert.Equal(NowMs, HybridTimestamp.Physical(first));
        long revision = await _store.GetRevisionAsync(Ct);

        ulong previous = first;
        for (int i = 0; i < 1900; i++) // 1.9 s of clock: not yet within a third of the 3 s window of the bound
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            ulong ts = await oracle.AllocateAsync(1, Ct);
            Assert.True(ts > previous);
            Assert.Equal(NowMs, HybridTimestamp.Physical(ts));
            previous = ts;
        }

        Assert.Equal(revision, await _store.GetRevisionAsync(Ct));
        _clock.Advance(TimeSpan.FromSeconds(5)); // past the bound: this call must wait for a renewal
        Assert.Equal(NowMs, HybridTimestamp.Physical(await oracle.AllocateAsync(1, Ct)));
        Assert.True(await _store.GetRevisionAsync(Ct) > revision);
        long bound = BinaryPrimitives.ReadInt64LittleEndian((await _store.GetAsync(Key, Ct))!.Value);
        Assert.True(bound >= NowMs + 3000);
    }

    [Fact]
    public async Task BoundIsRenewedInTheBackgroundBeforeCallersReachIt()
    {
        var oracle = new TimestampOracle(_store, Key, _clock, TimeSpan.FromSeconds(3));
        await oracle.AllocateAsync(1, Ct);
        long revision = await _store.GetRevisionAsync(Ct);
        _clock.Advance(TimeSpan.FromMilliseconds(2500)); // inside the window, within a third of it of the bound
        await oracle.AllocateAsync(1, Ct);
        long deadline = Environment.TickCount64 + 20_000;
        while (await _store.GetRevisionAsync(Ct) == revision)
        {
            Assert.True(Environment.TickCount64 < deadline, "background renewal did not happen");
            await Task.Delay(10);
        }

        long bound = BinaryPrimitives.ReadInt64LittleEndian((await _store.GetAsync(Key, Ct))!.Value);
        Assert.True(bound >= NowMs + 3000, $"bound {bound} should be a window ahead of {NowMs}");
    }

    [Fact]
    public async Task LogicalOverflowMovesToTheNextMillisecond()
    {
        var oracle = new TimestampOracle(_store, Key, _clock);
        ulong a = await oracle.AllocateAsync(200_000, Ct);
        ulong b = await oracle.AllocateAsync(100_000, Ct); // does not fit in the rest of the millisecond
        Assert.Equal(HybridTimestamp.Physical(a) + 1, HybridTimestamp.Physical(b));
        Assert.Equal(0, HybridTimestamp.Logical(b));
        ulong c = await oracle.AllocateAsync(1, Ct);
        Assert.Equal(b + 100_000, c);
    }

    [Fact]
    public async Task ClockGoingBackwardsWhileRunningDoesNotGoBackwards()
    {
        var oracle = new TimestampOracle(_store, Key, _clock);
        ulong before = await oracle.AllocateAsync(1, Ct);
        _clock.Advance(TimeSpan.FromSeconds(-30));
        ulong after = await oracle.AllocateAsync(1, Ct);
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task RestartWithAClockThatMovedBackwardsStillIncreases()
    {
        ulong last = 0;
        var oracle = new TimestampOracle(_store, Key, _clock);
        for (int i = 0; i < 100; i++)
        {
            last = await oracle.AllocateAsync(1, Ct);
        }

        await _store.DisposeAsync();
        _clock.Advance(TimeSpan.FromHours(-1));
        _store = new SqliteMetaStore(_dir.Combine("meta.db"), _clock);
        var restarted = new TimestampOracle(_store, Key, _clock);
        ulong first = await restarted.AllocateAsync(1, Ct);
        Assert.True(first > last, $"after restart {first} must exceed {last}");
        Assert.True(await restarted.AllocateAsync(5, Ct) > first);
    }

    [Fact]
    public async Task AnOracleWhoseKeyWasTakenOverStopsAtItsNextRenewal()
    {
        var old = new TimestampOracle(_store, Key, _clock, TimeSpan.FromSeconds(1));
        await old.AllocateAsync(1, Ct);
        var successor = new TimestampOracle(_store, Key, _clock, TimeSpan.FromSeconds(1));
        ulong taken = await successor.AllocateAsync(1, Ct);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await old.AllocateAsync(1, Ct));
        Assert.True(await successor.AllocateAsync(1, Ct) > taken);
    }
}
