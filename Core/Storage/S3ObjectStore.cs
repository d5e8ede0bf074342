using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace VectorAspire.Core.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over the S3 API (AWS, MinIO, emulators). Keys follow <see cref="LocalObjectStore"/>'s
/// rules so a standalone directory and a bucket hold the same layout; <see cref="S3ObjectStoreOptions.KeyPrefix"/> is
/// prepended on the wire. A PUT is atomic in S3, so readers see the whole old or new object.
/// Settings chosen so emulators store the bytes they are given (measured against s3rver 3.7.1 and Swift s3api):
/// checksums only when required (no x-amz-checksum trailers), no aws-chunked payload signing on PUT and UploadPart,
/// no TransferUtility (it always chunks), ranged GETs with an explicit start and end (no suffix ranges), no
/// CopyObject. Objects above <see cref="S3ObjectStoreOptions.MultipartThreshold"/> go up as a multipart upload.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly S3ObjectStoreOptions _options;
    private readonly string _bucket;
    private readonly string _keyPrefix;
    private readonly Lock _bucketLock = new();
    private Task? _bucketReady;

    public S3ObjectStore(S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new ArgumentException("S3ObjectStoreOptions.Bucket is empty; set VectorAspire:ObjectStore:S3:Bucket " +
                "or Bucket=... in ConnectionStrings:s3", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, 5 * 1024 * 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MultipartThreshold, options.PartSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MultipartConcurrency, 1);
        if (options.KeyPrefix.Length > 0)
        {
            LocalObjectStore.ValidatePrefix(options.KeyPrefix);
        }

        _options = options;
        _bucket = options.Bucket;
        _keyPrefix = options.KeyPrefix;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = options.RequestTimeout,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        _s3 = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey ?? ""), config);
        _bucketReady = options.CreateBucketIfMissing ? null : Task.CompletedTask;
    }

    public S3ObjectStoreOptions Options => _options;

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string wireKey = WireKey(key);
        await EnsureBucketAsync().ConfigureAwait(false);
        if (data.Length > _options.MultipartThreshold)
        {
            await PutMultipartAsync(wireKey, data, cancellationToken).ConfigureAwait(false);
            return;
        }

        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = wireKey,
            InputStream = ReadOnlyStream(data),
            UseChunkEncoding = false,
            AutoCloseStream = true,
        };
        await _s3.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = WireKey(key) };
        await EnsureBucketAsync().ConfigureAwait(false);
        try
        {
            using GetObjectResponse response = await _s3.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return await ReadBody(response, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
    }

    public async ValueTask<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        string wireKey = WireKey(key);
        if (length == 0)
        {
            long size = await GetSizeAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(key);
            return offset <= size ? [] : throw RangePastEnd(key, offset, length, size);
        }

        await EnsureBucketAsync().ConfigureAwait(false);
        var request = new GetObjectRequest
        {
            BucketName = _bucket,
            Key = wireKey,
            ByteRange = new ByteRange(offset, offset + length - 1), // explicit start-end: emulators get suffix ranges wrong
        };
        byte[] bytes;
        try
        {
            using GetObjectResponse response = await _s3.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            bytes = await ReadBody(response, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new ObjectNotFoundException(key);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"range [{offset}, {offset + length}) starts past the end of '{key}'");
        }

        // S3 answers a range that runs past the end with the bytes that exist.
        return bytes.Length == length ? bytes : throw RangePastEnd(key, offset, length, offset + bytes.Length);
    }

    public async ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = _bucket, Key = WireKey(key) };
        await EnsureBucketAsync().ConfigureAwait(false);
        try
        {
            GetObjectMetadataResponse response = await _s3.GetObjectMetadataAsync(request, cancellationToken).ConfigureAwait(false);
            return response.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // a HEAD carries no error code, so a missing bucket reads as a missing object here
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LocalObjectStore.ValidatePrefix(prefix);
        await EnsureBucketAsync().ConfigureAwait(false);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _keyPrefix + prefix, MaxKeys = _options.ListPageSize };
        while (true)
        {
            ListObjectsV2Response response = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (S3Object item in response.S3Objects ?? []) // SDK v4: null, not empty, when nothing matches
            {
                yield return new ObjectInfo(item.Key[_keyPrefix.Length..], item.Size ?? 0);
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var request = new DeleteObjectRequest { BucketName = _bucket, Key = WireKey(key) };
        await EnsureBucketAsync().ConfigureAwait(false);
        await _s3.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false); // S3 deletes missing keys silently
    }

    public void Dispose() => _s3.Dispose();

    private string WireKey(string key)
    {
        LocalObjectStore.ValidateKey(key);
        return _keyPrefix + key;
    }

    /// <summary>Creates the bucket once per store; a failed attempt is retried by the next operation.</summary>
    private Task EnsureBucketAsync()
    {
        lock (_bucketLock)
        {
            if (_bucketReady is null || _bucketReady.IsFaulted || _bucketReady.IsCanceled)
            {
                _bucketReady = CreateBucketAsync();
            }

            return _bucketReady;
        }
    }

    private async Task CreateBucketAsync()
    {
        try
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // s3rver answers BucketAlreadyExists for our own bucket; a bucket owned by someone else fails at first use.
        }
    }

    /// <summary>
    /// Initiate, upload parts (a few at a time, each without chunked signing), complete. A failed upload is aborted;
    /// emulators that refuse the abort (s3rver answers 405) leave its parts for a bucket lifecycle rule to collect.
    /// </summary>
    private async Task PutMultipartAsync(string wireKey, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        InitiateMultipartUploadResponse started = await _s3.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = wireKey }, cancellationToken).ConfigureAwait(false);
        int partCount = (int)((data.Length + (long)_options.PartSize - 1) / _options.PartSize);
        var etags = new PartETag[partCount];
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MultipartConcurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, partCount), parallel, async (index, ct) =>
            {
                int start = index * _options.PartSize;
                ReadOnlyMemory<byte> slice = data.Slice(start, Math.Min(_options.PartSize, data.Length - start));
                var part = new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = wireKey,
                    UploadId = started.UploadId,
                    PartNumber = index + 1,
                    PartSize = slice.Length,
                    InputStream = ReadOnlyStream(slice),
                    UseChunkEncoding = false,
                };
                UploadPartResponse uploaded = await _s3.UploadPartAsync(part, ct).ConfigureAwait(false);
                etags[index] = new PartETag(index + 1, uploaded.ETag);
            }).ConfigureAwait(false);

            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = wireKey,
                UploadId = started.UploadId,
                PartETags = [.. etags],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = _bucket,
                    Key = wireKey,
                    UploadId = started.UploadId,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (AmazonS3Exception)
            {
                // the original failure is what the caller needs to see
            }

            throw;
        }
    }

    private static Stream ReadOnlyStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private static async Task<byte[]> ReadBody(GetObjectResponse response, CancellationToken cancellationToken)
    {
        long length = response.ContentLength;
        if (length < 0 || length > Array.MaxLength)
        {
            throw new InvalidDataException($"object '{response.Key}' has length {length}, more than one array holds");
        }

        byte[] bytes = new byte[length];
        await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private static ArgumentOutOfRangeException RangePastEnd(string key, long offset, int length, long size) =>
        new(nameof(length), length, $"range [{offset}, {offset + length}) runs past the end of '{key}' ({size} bytes)");
}
