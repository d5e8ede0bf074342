using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Tests.TestSupport;
using VectorAspire.Core.Wal;

namespace VectorAspire.Core.Tests.Wal;

/// <summary>
/// <see cref="ObjectStoreWal"/>: the conformance suite plus fencing, fragment integrity, orphan clean-up, truncation
/// and tailing. Subclasses choose the meta store and object store (embedded here; etcd + S3 in the cluster tests).
/// </summary>
public abstract class ObjectStoreWalTestsBase : WalConformanceTests
{
    private IMetaStore? _meta;
    private IObjectStore? _objects;

    protected IMetaStore Meta => _meta ?? throw new InvalidOperationException("storage not opened");

    protected IObjectStore Objects => _objects ?? throw new InvalidOperationException("storage not opened");

    /// <summary>Small fragments so batches split and truncation crosses fragments.</summary>
    protected ObjectStoreWalOptions Options { get; } = new() { MaxFragmentBytes = 16 * 1024 };

    protected abstract ValueTask<(IMetaStore Meta, IObjectStore Objects)> OpenStorage();

    protected abstract ValueTask CloseStorage();

    protected override async ValueTask<IWal> OpenWal()
    {
        if (_meta is null)
        {
            (_meta, _objects) = await OpenStorage();
        }

        return new ObjectStoreWal(Objects, Meta, Options);
    }

    protected override async ValueTask DisposeStorage()
    {
        if (_meta is not null)
        {
            await _meta.DisposeAsync();
        }

        await CloseStorage();
    }

    private async Task<List<string>> FragmentObjects(string channel)
    {
        var keys = new List<string>();
        await foreach (ObjectInfo info in Objects.ListAsync(Options.ObjectPrefix + channel + "/", Ct))
        {
            keys.Add(info.Key);
        }

        return keys;
    }

    [Fact]
    public async Task OpeningTheChannelElsewhereFencesTheOldWriterAndItsAppendIsNeverAcknowledged()
    {
        await using IWal first = await OpenWal();
        var old = (ObjectStoreWalChannel)await first.OpenChannelAsync("ch-0", Ct);
        for (int i = 0; i < 3; i++)
        {
            await old.AppendAsync(Payload(i, 100), Ct);
        }

        await using IWal second = await OpenWal();
        var current = (ObjectStoreWalChannel)await second.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(old.Epoch + 1, current.Epoch);
        Assert.Equal(3, current.NextLsn);

        var fenced = await Assert.ThrowsAsync<WalFencedException>(async () => await old.AppendAsync(Payload(99, 100), Ct));
        Assert.Equal(current.Epoch, fenced.CurrentEpoch);
        await Assert.ThrowsAsync<WalFencedException>(async () => await old.AppendAsync(Payload(98, 100), Ct));
        await Assert.ThrowsAsync<WalFencedException>(async () => await old.TruncateBeforeAsync(3, Ct));

        Assert.Equal(3, await current.AppendAsync(Payload(3, 100), Ct));
        List<WalRecord> records = await ReadAll(current, 0);
        Assert.Equal([0L, 1L, 2L, 3L], records.Select(r => r.Lsn));
        Assert.Equal(Payload(3, 100), records[3].Payload.ToArray());
        // The fenced writer's upload was removed: only the four committed fragments remain.
        Assert.Equal(4, (await FragmentObjects("ch-0")).Count);
    }

    [Fact]
    public async Task ReopeningAChannelWhoseWriterWasFencedTakesANewEpochAndSeesTheOtherWritersRecords()
    {
        // A StreamingNode that lost a channel and is given it back must not get its old, fenced instance: replaying
        // that instance's fragment list would miss every record the other node appended in between.
        await using IWal first = await OpenWal();
        var old = (ObjectStoreWalChannel)await first.OpenChannelAsync("ch-0", Ct);
        await old.AppendAsync(Payload(0, 100), Ct);

        await using IWal second = await OpenWal();
        var other = (ObjectStoreWalChannel)await second.OpenChannelAsync("ch-0", Ct);
        await other.AppendAsync(Payload(1, 100), Ct);
        await Assert.ThrowsAsync<WalFencedException>(async () => await old.AppendAsync(Payload(99, 100), Ct));

        var again = (ObjectStoreWalChannel)await first.OpenChannelAsync("ch-0", Ct);
        Assert.NotSame(old, again);
        Assert.Equal(other.Epoch + 1, again.Epoch);
        Assert.Equal([0L, 1L], (await ReadAll(again, 0)).Select(r => r.Lsn));
        Assert.Equal(Payload(1, 100), (await ReadAll(again, 0))[1].Payload.ToArray());
        await Assert.ThrowsAsync<WalFencedException>(async () => await other.AppendAsync(Payload(98, 100), Ct));
    }

    [Fact]
    public async Task AWriterPausedDuringItsUploadCannotCommitAfterTheChannelMoved()
    {
        (IMetaStore meta, IObjectStore objects) = await OpenStorageOnce();
        var gate = new GatedObjectStore(objects);
        await using var stale = new ObjectStoreWal(gate, meta, Options);
        IWalChannel paused = await stale.OpenChannelAsync("ch-0", Ct);
        await paused.AppendAsync(Payload(0, 50), Ct);

        gate.Hold();
        Task<long> inFlight = paused.AppendAsync(Payload(1, 50), Ct).AsTask();
        await gate.WaitUntilHeld();

        await using var takeover = new ObjectStoreWal(objects, meta, Options);
        IWalChannel moved = await takeover.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(1, moved.NextLsn);
        Assert.Equal(1, await moved.AppendAsync(Payload(100, 50), Ct));

        gate.Release();
        await Assert.ThrowsAsync<WalFencedException>(() => inFlight);
        List<WalRecord> records = await ReadAll(moved, 0);
        Assert.Equal(2, records.Count);
        Assert.Equal(Payload(100, 50), records[1].Payload.ToArray());
    }

    [Fact]
    public async Task ReopeningDeletesUploadsThatWereNeverCommitted()
    {
        await using (IWal wal = await OpenWal())
        {
            IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
            await channel.AppendAsync(Payload(0, 10), Ct);
        }

        // What a writer that crashed between its upload and its commit leaves behind.
        string orphan = Options.ObjectPrefix + "ch-0/" + WalFragmentFormat.ObjectName(1, 1);
        await Objects.PutAsync(orphan, new byte[] { 1, 2, 3 }, Ct);
        await using IWal reopened = await OpenWal();
        IWalChannel again = await reopened.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(1, again.NextLsn);
        Assert.Null(await Objects.GetSizeAsync(orphan, Ct));
        Assert.Single(await FragmentObjects("ch-0"));
    }

    [Fact]
    public async Task ADamagedFragmentIsReportedNeverReturned()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        await channel.AppendAsync(Payload(0, 200), Ct);
        string key = (await FragmentObjects("ch-0")).Single();
        byte[] bytes = (await Objects.GetAsync(key, Ct))!;
        bytes[WalFragmentFormat.HeaderSize + 20] ^= 0x40;
        await Objects.PutAsync(key, bytes, Ct);
        await Assert.ThrowsAsync<WalCorruptedException>(() => ReadAll(channel, 0));

        await Objects.PutAsync(key, bytes.AsMemory(0, bytes.Length - 1), Ct);
        await Assert.ThrowsAsync<WalCorruptedException>(() => ReadAll(channel, 0));

        await Objects.DeleteAsync(key, Ct);
        var missing = await Assert.ThrowsAsync<WalCorruptedException>(() => ReadAll(channel, 0));
        Assert.Contains("missing", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentAppendsShareFragments()
    {
        await using IWal wal = await OpenWal();
        var channel = (ObjectStoreWalChannel)await wal.OpenChannelAsync("ch-0", Ct);
        long[] lsns = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => channel.AppendAsync(Payload(i, 64), Ct).AsTask()));
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), lsns.Order());
        Assert.True(channel.FragmentCount < 400, $"{channel.FragmentCount} fragments for 400 concurrent appends: no group commit");
        Assert.Equal(channel.FragmentCount, (await FragmentObjects("ch-0")).Count);
    }

    [Fact]
    public async Task TruncatingEveryFragmentKeepsTheNextLsnAcrossReopenAndRemovesTheObjects()
    {
        (IMetaStore meta, IObjectStore objects) = await OpenStorageOnce();
        var counting = new TxnLimitMetaStore(meta);
        await using (var wal = new ObjectStoreWal(objects, counting, Options))
        {
            IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
            for (int i = 0; i < 230; i++)
            {
                await channel.AppendAsync(Payload(i, 8), Ct); // one fragment each
            }

            await channel.TruncateBeforeAsync(230, Ct);
            Assert.Empty(await ReadAll(channel, 0));
        }

        Assert.InRange(counting.LargestTxn, 1, ObjectStoreWalChannel.MaxOpsPerTxn);
        Assert.Empty(await FragmentObjects("ch-0"));
        Assert.Empty(await meta.ScanPrefixAsync(Options.MetaPrefix + "ch-0/frag/", Ct));
        await using var reopened = new ObjectStoreWal(objects, meta, Options);
        IWalChannel again = await reopened.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(230, again.NextLsn);
        Assert.Equal(230, await again.AppendAsync(Payload(230, 8), Ct));
        Assert.Equal(Payload(230, 8), (await ReadAll(again, 0)).Single().Payload.ToArray());
    }

    [Fact]
    public async Task AFollowerTailsCommittedRecordsWithoutFencingTheWriter()
    {
        await using IWal writerWal = await OpenWal();
        IWalChannel writer = await writerWal.OpenChannelAsync("ch-0", Ct);
        await writer.AppendAsync(Payload(0, 30), Ct);
        await writer.AppendAsync(Payload(1, 30), Ct);

        await using var readerWal = new ObjectStoreWal(Objects, Meta, Options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using IAsyncEnumerator<WalRecord> tail = readerWal.ReadChannelAsync("ch-0", 1, follow: true, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await tail.MoveNextAsync());
        Assert.Equal(1, tail.Current.Lsn);

        for (int i = 2; i < 6; i++)
        {
            await writer.AppendAsync(Payload(i, 30), Ct);
        }

        for (int i = 2; i < 6; i++)
        {
            Assert.True(await tail.MoveNextAsync());
            Assert.Equal(i, tail.Current.Lsn);
            Assert.Equal(Payload(i, 30), tail.Current.Payload.ToArray());
        }

        Assert.Equal(6, await writer.AppendAsync(Payload(6, 30), Ct)); // still the owner
    }

    /// <summary>The storage of this test, opened once (for tests that build their own WAL instances over it).</summary>
    private async Task<(IMetaStore, IObjectStore)> OpenStorageOnce()
    {
        await (await OpenWal()).DisposeAsync();
        return (Meta, Objects);
    }

    /// <summary>An object store whose puts can be held, to pause a writer between its upload and its commit.</summary>
    private sealed class GatedObjectStore(IObjectStore inner) : IObjectStore
    {
        private TaskCompletionSource _release = Completed();
        private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Hold()
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Task WaitUntilHeld() => _held.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release() => _release.TrySetResult();

        public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await inner.PutAsync(key, data, cancellationToken);
            _held.TrySetResult();
            await _release.Task;
        }

        public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public ValueTask<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
            inner.GetRangeAsync(key, offset, length, cancellationToken);

        public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken) => inner.GetSizeAsync(key, cancellationToken);

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public ValueTask DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }

    /// <summary>Records the largest transaction and refuses any over etcd's 128-operation limit.</summary>
    private sealed class TxnLimitMetaStore(IMetaStore inner) : IMetaStore
    {
        public int LargestTxn { get; private set; }

        public ValueTask<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> onSuccess, IReadOnlyList<TxnOp> onFailure, CancellationToken cancellationToken)
        {
            int ops = Math.Max(onSuccess.Count, onFailure.Count);
            Assert.True(ops <= 128, $"a transaction of {ops} operations passes etcd's limit");
            LargestTxn = Math.Max(LargestTxn, ops);
            return inner.TxnAsync(compares, onSuccess, onFailure, cancellationToken);
        }

        public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public ValueTask<IReadOnlyList<KeyValue>> ScanPrefixAsync(string prefix, CancellationToken cancellationToken) => inner.ScanPrefixAsync(prefix, cancellationToken);

        public ValueTask<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken) => inner.PutAsync(key, value, leaseId, cancellationToken);

        public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public ValueTask<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken) => inner.WatchAsync(prefix, fromRevision, cancellationToken);

        public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken) => inner.GrantLeaseAsync(ttl, cancellationToken);

        public ValueTask<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) => inner.KeepAliveAsync(leaseId, cancellationToken);

        public ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => inner.RevokeLeaseAsync(leaseId, cancellationToken);

        public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken) => inner.GetRevisionAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The object-storage WAL over the embedded providers (SQLite meta store, local object directory).</summary>
public sealed class ObjectStoreWalTests : ObjectStoreWalTestsBase
{
    private readonly TempDirectory _dir = new();

    protected override ValueTask<(IMetaStore Meta, IObjectStore Objects)> OpenStorage() =>
        ValueTask.FromResult<(IMetaStore, IObjectStore)>((new SqliteMetaStore(_dir.Combine("meta.db")), new LocalObjectStore(_dir.Combine("objects"))));

    protected override ValueTask CloseStorage()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The object-storage WAL on the cluster providers: etcd (fragment list, epochs) and an S3 bucket on s3rver (fragments).
/// </summary>
public sealed class EtcdS3ObjectStoreWalTests(EtcdServerFixture etcd, S3rverServerFixture s3)
    : ObjectStoreWalTestsBase, IClassFixture<EtcdServerFixture>, IClassFixture<S3rverServerFixture>
{
    protected override ValueTask<(IMetaStore Meta, IObjectStore Objects)> OpenStorage() =>
        ValueTask.FromResult<(IMetaStore, IObjectStore)>((
            new EtcdMetaStore(etcd.Server.CreateOptions(EtcdServer.UniquePrefix())),
            new S3ObjectStore(s3.Server.CreateOptions(S3rverServer.UniqueBucket()))));

    protected override ValueTask CloseStorage() => ValueTask.CompletedTask;
}
