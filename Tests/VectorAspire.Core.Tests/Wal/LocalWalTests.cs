using System.Diagnostics;
using VectorAspire.Core.Tests.TestSupport;
using VectorAspire.Core.Wal;
using Xunit.Abstractions;

namespace VectorAspire.Core.Tests.Wal;

public sealed class LocalWalTests(ITestOutputHelper output) : WalConformanceTests
{
    private const int HeaderSize = 20;
    private const int RecordHeaderSize = 8;
    private readonly TempDirectory _dir = new();

    /// <summary>Small segments so the conformance tests also cross file boundaries.</summary>
    private LocalWalOptions Options { get; set; } = new() { SegmentBytes = 16 * 1024, WriteBufferBytes = 8192 };

    protected override ValueTask<IWal> OpenWal() => ValueTask.FromResult<IWal>(new LocalWal(_dir.Path, Options));

    protected override ValueTask DisposeStorage()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    private string ChannelDir => _dir.Combine("ch-0");

    private string[] SegmentFiles() => [.. Directory.GetFiles(ChannelDir, "*.wal").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private async Task WriteRecords(int count, int length)
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        for (int i = 0; i < count; i++)
        {
            await channel.AppendAsync(Payload(i, length), Ct);
        }
    }

    [Fact]
    public async Task RollsOverToSegmentFilesNamedByTheirFirstLsn()
    {
        Options = new LocalWalOptions { SegmentBytes = 4096 };
        await WriteRecords(40, 1000);
        // 4 records of 1008 bytes pass 4096 (20 + 4 * 1008 = 4052 < 4096, so 5 per file).
        string[] files = SegmentFiles();
        Assert.Equal(["00000000000000000000.wal", "00000000000000000005.wal", "00000000000000000010.wal"], files[..3]);
        Assert.Equal(8, files.Length);

        await using IWal wal = await OpenWal();
        var channel = (LocalWalChannel)await wal.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(new WalRecoveryReport(8, 40, null, 0), channel.Recovery);
        List<WalRecord> records = await ReadAll(channel, 13);
        Assert.Equal(Enumerable.Range(13, 27).Select(i => (long)i), records.Select(r => r.Lsn));
        Assert.Equal(Payload(39, 1000), records[^1].Payload.ToArray());
    }

    [Fact]
    public async Task TruncateBeforeDeletesOnlyWholeFilesBelowTheLsnAndNeverTheActiveOne()
    {
        Options = new LocalWalOptions { SegmentBytes = 4096 };
        await using IWal wal = await OpenWal();
        var channel = (LocalWalChannel)await wal.OpenChannelAsync("ch-0", Ct);
        for (int i = 0; i < 23; i++)
        {
            await channel.AppendAsync(Payload(i, 1000), Ct);
        }

        // Files start at 0, 5, 10, 15, 20. LSN 12 lies in the file starting at 10: files 0 and 5 go.
        await channel.TruncateBeforeAsync(12, Ct);
        Assert.Equal(["00000000000000000010.wal", "00000000000000000015.wal", "00000000000000000020.wal"], SegmentFiles());
        Assert.Equal(10, channel.FirstLsn);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ReadAll(channel, 9));

        await channel.TruncateBeforeAsync(long.MaxValue, Ct);
        Assert.Equal(["00000000000000000020.wal"], SegmentFiles());
        Assert.Equal(Enumerable.Range(20, 3).Select(i => (long)i), (await ReadAll(channel, 20)).Select(r => r.Lsn));
        Assert.Equal(23, await channel.AppendAsync(Payload(23, 10), Ct));
        await channel.DisposeAsync();

        var reopened = (LocalWalChannel)await wal.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(20, reopened.FirstLsn);
        Assert.Equal(24, reopened.NextLsn);
    }

    public enum TailDamage
    {
        CutInsideLastRecord,
        GarbageAppended,
        LastRecordChecksumFlipped,
        CutInsideLastRecordHeader,
    }

    [Theory]
    [InlineData(TailDamage.CutInsideLastRecord, 9)]
    [InlineData(TailDamage.GarbageAppended, 10)]
    [InlineData(TailDamage.LastRecordChecksumFlipped, 9)]
    [InlineData(TailDamage.CutInsideLastRecordHeader, 9)]
    public async Task TornTailIsCutAndAppendsContinueAtTheNextLsn(TailDamage damage, long survivingRecords)
    {
        Options = new LocalWalOptions { SegmentBytes = 1 << 20 };
        await WriteRecords(10, 300);
        string file = Path.Combine(ChannelDir, SegmentFiles().Single());
        long lastRecordStart = HeaderSize + (9L * (RecordHeaderSize + 300));
        long goodLength = new FileInfo(file).Length;
        Assert.Equal(lastRecordStart + RecordHeaderSize + 300, goodLength);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case TailDamage.CutInsideLastRecord:
                    stream.SetLength(lastRecordStart + RecordHeaderSize + 150);
                    break;
                case TailDamage.CutInsideLastRecordHeader:
                    stream.SetLength(lastRecordStart + 5);
                    break;
                case TailDamage.GarbageAppended:
                    stream.Seek(0, SeekOrigin.End);
                    stream.Write([0x10, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
                    break;
                case TailDamage.LastRecordChecksumFlipped:
                    stream.Position = lastRecordStart + 5;
                    int b = stream.ReadByte();
                    stream.Position = lastRecordStart + 5;
                    stream.WriteByte((byte)(b ^ 0x40));
                    break;
            }
        }

        long damagedLength = new FileInfo(file).Length;
        await using IWal wal = await OpenWal();
        var channel = (LocalWalChannel)await wal.OpenChannelAsync("ch-0", Ct);
        long expectedLength = survivingRecords == 10 ? goodLength : lastRecordStart;
        Assert.Equal(survivingRecords, channel.NextLsn);
        Assert.Equal(damagedLength - expectedLength, channel.Recovery.TruncatedBytes);
        Assert.Equal(expectedLength, new FileInfo(file).Length);

        Assert.Equal(survivingRecords, await channel.AppendAsync(Payload(100, 77), Ct));
        List<WalRecord> records = await ReadAll(channel, 0);
        Assert.Equal(survivingRecords + 1, records.Count);
        for (int i = 0; i < survivingRecords; i++)
        {
            Assert.Equal(Payload(i, 300), records[i].Payload.ToArray());
        }

        Assert.Equal(Payload(100, 77), records[^1].Payload.ToArray());
    }

    [Fact]
    public async Task LastSegmentWithTornHeaderIsRemoved()
    {
        Options = new LocalWalOptions { SegmentBytes = 4096 };
        await WriteRecords(7, 1000); // files at 0 and 5
        File.WriteAllBytes(Path.Combine(ChannelDir, "00000000000000000007.wal"), [0x56, 0x41, 0x57]);
        await using IWal wal = await OpenWal();
        var channel = (LocalWalChannel)await wal.OpenChannelAsync("ch-0", Ct);
        Assert.Equal(7, channel.NextLsn);
        Assert.Equal(3, channel.Recovery.TruncatedBytes);
        Assert.Equal(7, await channel.AppendAsync(Payload(7, 10), Ct));
        Assert.Equal(8, (await ReadAll(channel, 0)).Count);
    }

    [Theory]
    [InlineData(100)] // a payload byte of the first record
    [InlineData(HeaderSize + 4)] // the first record's checksum
    [InlineData(2)] // the file header
    public async Task DamageInAnEarlierSegmentIsReportedAsCorruption(int offset)
    {
        Options = new LocalWalOptions { SegmentBytes = 4096 };
        await WriteRecords(12, 1000);
        string first = Path.Combine(ChannelDir, SegmentFiles()[0]);
        byte[] bytes = File.ReadAllBytes(first);
        bytes[offset] ^= 0x01;
        File.WriteAllBytes(first, bytes);

        await using IWal wal = await OpenWal();
        var e = await Assert.ThrowsAsync<WalCorruptedException>(async () => await wal.OpenChannelAsync("ch-0", Ct));
        Assert.Contains("00000000000000000000.wal", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingMiddleSegmentIsReportedAsCorruption()
    {
        Options = new LocalWalOptions { SegmentBytes = 4096 };
        await WriteRecords(12, 1000);
        File.Delete(Path.Combine(ChannelDir, "00000000000000000005.wal"));
        await using IWal wal = await OpenWal();
        await Assert.ThrowsAsync<WalCorruptedException>(async () => await wal.OpenChannelAsync("ch-0", Ct));
    }

    [Fact]
    public async Task SecondInstanceCannotOpenAnOpenChannel()
    {
        await using IWal first = await OpenWal();
        IWalChannel channel = await first.OpenChannelAsync("ch-0", Ct);
        Assert.Same(channel, await first.OpenChannelAsync("ch-0", Ct));
        await using IWal second = await OpenWal();
        await Assert.ThrowsAsync<IOException>(async () => await second.OpenChannelAsync("ch-0", Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public async Task InvalidChannelNamesAreRejected(string name)
    {
        await using IWal wal = await OpenWal();
        await Assert.ThrowsAsync<ArgumentException>(async () => await wal.OpenChannelAsync(name, Ct));
    }

    [Fact]
    public async Task QueuingAnAppendAllocatesNothingOnceWarm()
    {
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        byte[] payload = Payload(1, 64);
        var pending = new ValueTask<long>[256];
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < pending.Length; i++)
            {
#pragma warning disable CA2012 // stored on purpose: awaiting here would measure the caller's state machine, not the append
                pending[i] = channel.AppendAsync(payload, Ct);
#pragma warning restore CA2012
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            for (int i = 0; i < pending.Length; i++)
            {
                await pending[i];
            }

            if (round == 2)
            {
                Assert.True(allocated < 1024, $"queuing {pending.Length} appends allocated {allocated} bytes");
            }
        }
    }

    /// <summary>
    /// Manual throughput probe, not a timed test: set VA_WAL_THROUGHPUT=1 and run with
    /// <c>--filter FullyQualifiedName~MeasureThroughput --logger "console;verbosity=detailed"</c>.
    /// </summary>
    [Fact]
    public async Task MeasureThroughput()
    {
        if (Environment.GetEnvironmentVariable("VA_WAL_THROUGHPUT") != "1")
        {
            return;
        }

        Options = new LocalWalOptions();
        int appenders = int.Parse(Environment.GetEnvironmentVariable("VA_WAL_APPENDERS") ?? "8", System.Globalization.CultureInfo.InvariantCulture);
        const int recordBytes = 512 * 1024;
        const long totalBytes = 2L << 30;
        long perAppender = totalBytes / recordBytes / appenders;
        await using IWal wal = await OpenWal();
        IWalChannel channel = await wal.OpenChannelAsync("ch-0", Ct);
        byte[] payload = Payload(1, recordBytes);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, appenders).Select(_ => Task.Run(async () =>
        {
            for (long i = 0; i < perAppender; i++)
            {
                await channel.AppendAsync(payload, Ct);
            }
        })));
        watch.Stop();
        double mb = channel.NextLsn * (double)recordBytes / (1 << 20);
        output.WriteLine($"{appenders} appenders, {channel.NextLsn} records of {recordBytes} B: {mb:F0} MiB in {watch.Elapsed.TotalSeconds:F2} s = {mb / watch.Elapsed.TotalSeconds:F0} MiB/s");

        watch.Restart();
        long read = 0;
        await foreach (WalRecord record in channel.ReadAsync(0, Ct))
        {
            read += record.Payload.Length;
        }

        output.WriteLine($"read back {read >> 20} MiB in {watch.Elapsed.TotalSeconds:F2} s");
    }
}
