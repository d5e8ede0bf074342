using System.Buffers.Binary;
using VectorAspire.Core.Wal;

namespace VectorAspire.Core.Tests.Wal;

/// <summary>
/// Behaviour every <see cref="IWal"/> provider must have. A provider's test class subclasses this and supplies
/// <see cref="OpenWal"/>, which must reach the same underlying storage every time it is called within one test (so
/// reopening sees earlier records) and fresh, empty storage for each test.
/// </summary>
public abstract class WalConformanceTests : IAsyncLifetime
{
    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Opens the provider over this test's storage.</summary>
    protected abstract ValueTask<IWal> OpenWal();

    /// <summary>Releases this test's storage (after every opened WAL has been disposed).</summary>
    protected virtual ValueTask DisposeStorage() => ValueTask.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await DisposeStorage();

    protected static byte[] Payload(int seed, int length)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        if (length >= 4)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data, seed);
        }

        return data;
    }

    protected static async Task<List<WalRecord>> ReadAll(IWalChannel channel, long fromLsn)
    {
        var records = new List<WalRecord>();
        await foreach (WalRecord record in channel.ReadAsync(fromLsn, Ct))
        {
            records.Add(record);
        }

        return records;
    }

    [Fact]
    public async Task AppendsGetConsecutiveLsnsAndReadReturnsThemInOrder()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        Assert.Equal("ch-0", channel.Name);
        Assert.Equal(0, channel.NextLsn);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i, await channel.AppendAsync(Payload(i, 10 + (i * 37)), Ct));
        }

        Assert.Equal(20, channel.NextLsn);
        List<WalRecord> records = await ReadAll(channel, 0);
        Assert.Equal(20, records.Count);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i, records[i].Lsn);
            Assert.Equal(Payload(i, 10 + (i * 37)), records[i].Payload.ToArray());
        }
    }

    [Fact]
    public async Task ReadStartsAtTheRequestedLsn()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        for (int i = 0; i < 10; i++)
        {
            await channel.AppendAsync(Payload(i, 100), Ct);
        }

        List<WalRecord> records = await ReadAll(channel, 7);
        Assert.Equal([7L, 8L, 9L], records.Select(r => r.Lsn).ToArray());
        Assert.Equal(Payload(7, 100), records[0].Payload.ToArray());
        Assert.Empty(await ReadAll(channel, 10));
        Assert.Empty(await ReadAll(channel, 1000));
    }

    [Fact]
    public async Task EmptyPayloadRoundTrips()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        await channel.AppendAsync(ReadOnlyMemory<byte>.Empty, Ct);
        await channel.AppendAsync(new byte[] { 1 }, Ct);
        List<WalRecord> records = await ReadAll(channel, 0);
        Assert.Equal(0, records[0].Payload.Length);
        Assert.Equal(new byte[] { 1 }, records[1].Payload.ToArray());
    }

    [Fact]
    public async Task ReopeningKeepsRecordsAndContinuesLsns()
    {
        await using (IWal wal = await OpenWal())
        {
            IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
            for (int i = 0; i < 5; i++)
            {
                await channel.AppendAsync(Payload(i, 1000), Ct);
            }
        }

        await using (IWal wal = await OpenWal())
        {
            IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
            Assert.Equal(5, channel.NextLsn);
            Assert.Equal(5, await channel.AppendAsync(Payload(5, 1000), Ct));
            await channel.DisposeAsync();
            channel = await wal.OpenChannelAsync("ch-0", Ct);
            List<WalRecord> records = await ReadAll(channel, 0);
            Assert.Equal(6, records.Count);
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(Payload(i, 1000), records[i].Payload.ToArray());
            }
        }
    }

    [Fact]
    public async Task ChannelsAreIndependent()
    {
        await using IWal wal = await OpenWal();
        IWalChannel a = await wal.OpenChannelAsync("a", Ct);
        IWalChannel b = await wal.OpenChannelAsync("b", Ct);
        await a.AppendAsync(Payload(1, 10), Ct);
        await a.AppendAsync(Payload(2, 10), Ct);
        Assert.Equal(0, await b.AppendAsync(Payload(3, 10), Ct));
        Assert.Equal(2, (await ReadAll(a, 0)).Count);
        Assert.Equal(Payload(3, 10), (await ReadAll(b, 0))[0].Payload.ToArray());
    }

    [Fact]
    public async Task ConcurrentAppendersGetUniqueConsecutiveLsnsAndAllRecordsAreReadable()
    {
        const int appenders = 8;
        const int perAppender = 150;
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        var sent = new (long Lsn, int Seed, int Length)[appenders * perAppender];
        await Task.WhenAll(Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
        {
            long previous = -1;
            for (int i = 0; i < perAppender; i++)
            {
                int seed = (a * perAppender) + i;
                int length = 16 + (seed * 7919 % 5000);
                long lsn = await channel.AppendAsync(Payload(seed, length), Ct);
                Assert.True(lsn > previous, "one appender's records must keep its call order");
                previous = lsn;
                sent[seed] = (lsn, seed, length);
            }
        })));

        Assert.Equal(Enumerable.Range(0, appenders * perAppender).Select(i => (long)i), sent.Select(s => s.Lsn).Order());
        Assert.Equal(appenders * perAppender, channel.NextLsn);
        List<WalRecord> records = await ReadAll(channel, 0);
        Assert.Equal(sent.Length, records.Count);
        foreach ((long lsn, int seed, int length) in sent)
        {
            Assert.Equal(Payload(seed, length), records[(int)lsn].Payload.ToArray());
        }
    }

    [Fact]
    public async Task ReadReturnsOnlyRecordsDurableWhenItStarted()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        for (int i = 0; i < 3; i++)
        {
            await channel.AppendAsync(Payload(i, 50), Ct);
        }

        var seen = new List<long>();
        await using (IAsyncEnumerator<WalRecord> reader = channel.ReadAsync(0, Ct).GetAsyncEnumerator(Ct))
        {
            Assert.True(await reader.MoveNextAsync());
            seen.Add(reader.Current.Lsn);
            await channel.AppendAsync(Payload(3, 50), Ct);
            while (await reader.MoveNextAsync())
            {
                seen.Add(reader.Current.Lsn);
            }
        }

        Assert.Equal([0L, 1L, 2L], seen);
        Assert.Equal(4, (await ReadAll(channel, 0)).Count);
    }

    [Fact]
    public async Task TruncateBeforeKeepsEveryLaterRecord()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        for (int i = 0; i < 200; i++)
        {
            await channel.AppendAsync(Payload(i, 600), Ct);
        }

        await channel.TruncateBeforeAsync(150, Ct);
        List<WalRecord> records = await ReadAll(channel, 150);
        Assert.Equal(Enumerable.Range(150, 50).Select(i => (long)i), records.Select(r => r.Lsn));
        Assert.Equal(200, await channel.AppendAsync(Payload(200, 600), Ct));
        Assert.Equal(Payload(200, 600), (await ReadAll(channel, 200))[0].Payload.ToArray());
    }

    [Fact]
    public async Task AppendAfterDisposeThrows()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        await channel.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await channel.AppendAsync(Payload(0, 1), Ct));
    }

    [Fact]
    public async Task DisposeWritesEveryQueuedAppendBeforeClosing()
    {
        var pending = new List<Task<long>>();
        await using (IWal wal = await OpenWal())
        {
            IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
            for (int i = 0; i < 50; i++)
            {
                pending.Add(channel.AppendAsync(Payload(i, 300), Ct).AsTask());
            }

            await channel.DisposeAsync();
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), await Task.WhenAll(pending));
        await using IWal reopened = await OpenWal();
        IWalChannel again = await reopened.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(50, again.NextLsn);
        Assert.Equal(Payload(49, 300), (await ReadAll(again, 49))[0].Payload.ToArray());
    }
}
