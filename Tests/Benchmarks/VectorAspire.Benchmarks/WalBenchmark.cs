using System.Diagnostics;
using System.Globalization;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Wal;

namespace VectorAspire.Benchmarks;

/// <summary>
/// WAL append latency and throughput: C concurrent appenders each append records of S bytes back to back (every
/// append awaited, as the StreamingNode does per write) until N records are acknowledged.
/// usage: wal [--provider local|object|cluster] [--records N] [--size S] [--appenders C] [--dir PATH] [--etcd URL] [--s3 URL]
///   object: the object-storage WAL over the embedded SQLite meta store and a local object directory
///   cluster: the object-storage WAL over etcd (--etcd) and an S3 endpoint (--s3, s3rver's keys, a fresh bucket)
/// </summary>
internal static class WalBenchmark
{
    public static int Run(string[] args)
    {
        string provider = "local";
        string? dir = null, etcd = null, s3 = null;
        int records = 20_000, size = 1024, appenders = 16;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            switch (args[i])
            {
                case "--provider": provider = v; break;
                case "--records": records = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--size": size = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--appenders": appenders = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--dir": dir = v; break;
                case "--etcd": etcd = v; break;
                case "--s3": s3 = v; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        dir ??= Path.Combine(Path.GetTempPath(), "va-walbench-" + Guid.NewGuid().ToString("N"));
        try
        {
            return RunAsync(provider, dir, records, size, appenders, etcd, s3).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<int> RunAsync(string provider, string dir, int records, int size, int appenders, string? etcd, string? s3)
    {
        Directory.CreateDirectory(dir);
        IMetaStore? meta = null;
        IWal wal;
        switch (provider)
        {
            case "local":
                wal = new LocalWal(Path.Combine(dir, "wal"));
                break;
            case "object":
                meta = new SqliteMetaStore(Path.Combine(dir, "meta.db"));
                wal = new ObjectStoreWal(new LocalObjectStore(Path.Combine(dir, "objects")), meta);
                break;
            case "cluster" when etcd is not null && s3 is not null:
                meta = new EtcdMetaStore(new EtcdMetaStoreOptions { Endpoints = [etcd], Prefix = $"walbench-{Guid.NewGuid():N}/" });
                wal = new ObjectStoreWal(new S3ObjectStore(new S3ObjectStoreOptions
                {
                    ServiceUrl = s3, Bucket = $"walbench-{Guid.NewGuid():N}", AccessKey = "S3RVER", SecretKey = "S3RVER", ForcePathStyle = true, CreateBucketIfMissing = true,
                }), meta);
                break;
            default:
                Console.Error.WriteLine($"unknown provider {provider} (cluster needs --etcd and --s3)");
                return 2;
        }

        await using (wal)
        {
            IWalChannel channel = await wal.OpenChannelAsync("bench", CancellationToken.None);
            byte[] payload = new byte[size];
            new Random(7).NextBytes(payload);
            var latencies = new double[records];
            int next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, appenders).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    int r = Interlocked.Increment(ref next);
                    if (r >= records)
                    {
                        return;
                    }

                    long start = Stopwatch.GetTimestamp();
                    await channel.AppendAsync(payload, CancellationToken.None);
                    latencies[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            })));
            double seconds = clock.Elapsed.TotalSeconds;
            Array.Sort(latencies);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wal provider={provider} records={records} size={size} appenders={appenders}: {records / seconds:F0} records/s, {records * (double)size / seconds / 1e6:F1} MB/s, " +
                $"p50 {latencies[records / 2]:F2} ms, p99 {latencies[(int)(records * 0.99)]:F2} ms, max {latencies[^1]:F2} ms"));
        }

        if (meta is not null)
        {
            await meta.DisposeAsync();
        }

        return 0;
    }
}
