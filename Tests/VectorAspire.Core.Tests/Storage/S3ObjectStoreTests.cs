using Amazon.S3;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Storage;

/// <summary>S3-only behaviour against s3rver: multipart uploads, key prefixes in one bucket, list paging, missing buckets.</summary>
public sealed class S3ObjectStoreTests(S3rverServerFixture s3) : IClassFixture<S3rverServerFixture>
{
    private const int MiB = 1024 * 1024;

    private static CancellationToken Ct => CancellationToken.None;

    private static async Task<List<string>> Keys(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (ObjectInfo info in store.ListAsync(prefix, Ct))
        {
            keys.Add(info.Key);
        }

        return keys;
    }

    [Fact]
    public async Task MultipartUploadRoundTripsTheExactBytes()
    {
        S3ObjectStoreOptions options = s3.Server.CreateOptions();
        options.PartSize = 5 * MiB;
        options.MultipartThreshold = 5 * MiB; // 17 MiB → parts of 5, 5, 5 and 2 MiB
        using var store = new S3ObjectStore(options);
        const int seed = 20261203;
        byte[] data = new byte[(17 * MiB) + 12_345];
        new Random(seed).NextBytes(data);

        await store.PutAsync("segments/big.bin", data, Ct);
        Assert.Equal(data.LongLength, await store.GetSizeAsync("segments/big.bin", Ct));
        byte[]? back = await store.GetAsync("segments/big.bin", Ct);
        Assert.True(back is not null && back.AsSpan().SequenceEqual(data), $"multipart bytes differ (seed {seed})");
        int acrossParts = (5 * MiB) - 100;
        byte[] range = await store.GetRangeAsync("segments/big.bin", acrossParts, 1_000, Ct);
        Assert.True(data.AsSpan(acrossParts, 1_000).SequenceEqual(range));
    }

    [Fact]
    public async Task KeyPrefixesIsolateStoresSharingOneBucket()
    {
        string bucket = S3rverServer.UniqueBucket();
        using var a = new S3ObjectStore(s3.Server.CreateOptions(bucket, keyPrefix: "cluster-a/"));
        using var b = new S3ObjectStore(s3.Server.CreateOptions(bucket, keyPrefix: "cluster-b/"));
        await a.PutAsync("meta/k", "from a"u8.ToArray(), Ct);
        await b.PutAsync("meta/k", "from b"u8.ToArray(), Ct);
        await a.PutAsync("only-a", "x"u8.ToArray(), Ct);

        Assert.Equal("from a"u8.ToArray(), await a.GetAsync("meta/k", Ct));
        Assert.Equal(["meta/k", "only-a"], await Keys(a, ""));
        Assert.Equal(["meta/k"], await Keys(b, ""));
        await a.DeleteAsync("meta/k", Ct);
        Assert.Equal("from b"u8.ToArray(), await b.GetAsync("meta/k", Ct));

        using var whole = new S3ObjectStore(s3.Server.CreateOptions(bucket));
        Assert.Equal(["cluster-a/only-a", "cluster-b/meta/k"], await Keys(whole, ""));
    }

    [Fact]
    public async Task ListFollowsContinuationTokensAcrossPages()
    {
        S3ObjectStoreOptions options = s3.Server.CreateOptions();
        options.ListPageSize = 3;
        using var store = new S3ObjectStore(options);
        string[] keys = [.. Enumerable.Range(0, 11).Select(i => $"p/{i:D2}")];
        foreach (string key in keys)
        {
            await store.PutAsync(key, new byte[] { 1 }, Ct);
        }

        Assert.Equal(keys, await Keys(store, "p/"));
    }

    [Fact]
    public async Task MissingBucketFailsLoudlyInsteadOfReadingAsMissingKeys()
    {
        S3ObjectStoreOptions options = s3.Server.CreateOptions();
        options.CreateBucketIfMissing = false;
        using var store = new S3ObjectStore(options);
        var e = await Assert.ThrowsAsync<AmazonS3Exception>(async () => await store.GetAsync("k", Ct));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
        await Assert.ThrowsAsync<AmazonS3Exception>(async () => await store.PutAsync("k", new byte[] { 1 }, Ct));
    }

    [Fact]
    public async Task RangeThatRunsPastTheEndIsRefused()
    {
        using var store = new S3ObjectStore(s3.Server.CreateOptions());
        await store.PutAsync("k", new byte[10], Ct);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.GetRangeAsync("k", 10, 1, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.GetRangeAsync("k", 11, 0, Ct));
        Assert.Empty(await store.GetRangeAsync("k", 10, 0, Ct));
    }

    [Fact]
    public void ConnectionStringSetsEndpointBucketCredentialsAndStyle()
    {
        var options = new S3ObjectStoreOptions();
        ObjectStoreServiceCollectionExtensions.ApplyConnectionString(options,
            "Endpoint=http://127.0.0.1:9000;Bucket=vectors;AccessKey=ak;SecretKey='s=;x';Region=eu-west-1;ForcePathStyle=false;KeyPrefix=c1/");
        Assert.Equal(("http://127.0.0.1:9000", "vectors", "ak", "s=;x", "eu-west-1", false, "c1/"),
            (options.ServiceUrl, options.Bucket, options.AccessKey, options.SecretKey, options.Region, options.ForcePathStyle, options.KeyPrefix));
        Assert.Throws<ArgumentException>(() => ObjectStoreServiceCollectionExtensions.ApplyConnectionString(options, "Bukket=x"));
    }
}
