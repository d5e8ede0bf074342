using VectorAspire.Core.Meta;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Meta;

public sealed class SqliteMetaStoreTests : MetaStoreConformanceTests
{
    private readonly TempDirectory _dir = new();

    private SqliteMetaStoreOptions Options { get; set; } = new();

    protected override ValueTask<IMetaStore> OpenStore(TimeProvider time) =>
        ValueTask.FromResult<IMetaStore>(new SqliteMetaStore(_dir.Combine("meta.db"), time, Options));

    protected override ValueTask DisposeStorage()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task WatchFromACompactedRevisionThrowsAndRecentHistoryStillReplays()
    {
        Options = new SqliteMetaStoreOptions { HistoryRetention = 32 };
        await Reopen();
        for (int i = 0; i < 100; i++)
        {
            await Store.PutAsync("h/k", B(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, Ct);
        }

        long revision = await Store.GetRevisionAsync(Ct);
        var e = await Assert.ThrowsAsync<RevisionCompactedException>(async () =>
        {
            await foreach (WatchEvent _ in Store.WatchAsync("h/", 1, Ct))
            {
            }
        });
        Assert.Equal(1, e.RequestedRevision);

        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<WatchEvent> watch = Store.WatchAsync("h/", revision - 31, cts.Token).GetAsyncEnumerator(cts.Token);
        List<WatchEvent> events = await Take(watch, 32);
        Assert.Equal(revision, events[^1].Revision);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task DatabaseUsesWalJournalMode()
    {
        await Store.PutAsync("x", B("y"), 0, Ct);
        Assert.True(File.Exists(_dir.Combine("meta.db-wal")));
    }
}
