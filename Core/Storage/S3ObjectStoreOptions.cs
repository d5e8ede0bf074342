namespace VectorAspire.Core.Storage;

/// <summary>Settings of <see cref="S3ObjectStore"/>; bound from <c>VectorAspire:ObjectStore:S3</c>.</summary>
public sealed class S3ObjectStoreOptions
{
    /// <summary>
    /// The S3 endpoint (AWSSDK's ServiceURL), e.g. <c>http://127.0.0.1:9000</c> for MinIO or an emulator.
    /// Empty means AWS itself in <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    public string Bucket { get; set; } = "";

    /// <summary>Access key; with no key the SDK's default credential chain applies (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Region to sign for (and to reach AWS in when <see cref="ServiceUrl"/> is empty).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style URLs (<c>endpoint/bucket/key</c>), which MinIO and emulators need; virtual-host style when false.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Prepended to every key (e.g. <c>cluster-a/</c>) so several clusters can share a bucket; callers never see it.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>Creates the bucket on first use when it does not exist.</summary>
    public bool CreateBucketIfMissing { get; set; }

    /// <summary>Objects larger than this are uploaded as multipart uploads of <see cref="PartSize"/> bytes.</summary>
    public long MultipartThreshold { get; set; } = 64L * 1024 * 1024;

    /// <summary>Size of each multipart part (S3's minimum is 5 MiB, except for the last part).</summary>
    public int PartSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Parts of one multipart upload sent at once.</summary>
    public int MultipartConcurrency { get; set; } = 4;

    /// <summary>Keys asked for per ListObjectsV2 page (S3 returns at most 1000).</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Timeout of each HTTP request the SDK makes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
