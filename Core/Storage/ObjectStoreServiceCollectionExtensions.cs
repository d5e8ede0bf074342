using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VectorAspire.Core.Storage;

/// <summary>
/// Picks the <see cref="IObjectStore"/> provider from configuration:
/// <c>VectorAspire:ObjectStore:Provider</c> = <c>local</c> (default, a directory) or <c>s3</c> (any S3 API).
/// Local reads <c>VectorAspire:ObjectStore:Local:Path</c>; S3 reads <c>VectorAspire:ObjectStore:S3</c>
/// (<see cref="S3ObjectStoreOptions"/>) and then <c>ConnectionStrings:s3</c> (which wins for what it sets).
/// </summary>
public static class ObjectStoreServiceCollectionExtensions
{
    public const string Section = "VectorAspire:ObjectStore";
    public const string S3ConnectionName = "s3";

    public static IServiceCollection AddObjectStore(this IServiceCollection services, IConfiguration configuration, string defaultLocalPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(Section);
        string provider = section["Provider"] is { Length: > 0 } p ? p.Trim().ToLowerInvariant() : "local";
        switch (provider)
        {
            case "local":
                string path = section["Local:Path"] is { Length: > 0 } configured ? configured : defaultLocalPath;
                services.AddSingleton<IObjectStore>(_ => new LocalObjectStore(path));
                break;
            case "s3":
                services.AddOptions<S3ObjectStoreOptions>().Configure(o => BindS3Options(configuration, o));
                services.AddSingleton<IObjectStore>(sp => new S3ObjectStore(sp.GetRequiredService<IOptions<S3ObjectStoreOptions>>().Value));
                break;
            default:
                throw new InvalidOperationException($"{Section}:Provider is '{provider}'; use 'local' (a directory) or 's3' (an S3 API)");
        }

        return services;
    }

    /// <summary>Binds <c>VectorAspire:ObjectStore:S3</c>, then applies <c>ConnectionStrings:s3</c> when present.</summary>
    public static void BindS3Options(IConfiguration configuration, S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        configuration.GetSection(Section + ":S3").Bind(options);
        if (configuration.GetConnectionString(S3ConnectionName) is { Length: > 0 } connectionString)
        {
            ApplyConnectionString(options, connectionString);
        }
    }

    /// <summary>
    /// <c>Endpoint=http://127.0.0.1:9000;Bucket=vectors;AccessKey=...;SecretKey=...</c>, optionally with Region,
    /// ForcePathStyle, KeyPrefix and CreateBucketIfMissing; a bare URL sets only the endpoint.
    /// </summary>
    public static void ApplyConnectionString(S3ObjectStoreOptions options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connectionString);
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https")
        {
            options.ServiceUrl = connectionString;
            return;
        }

        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in builder.Keys)
        {
            string value = Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture) ?? "";
            switch (key.ToLowerInvariant())
            {
                case "endpoint" or "serviceurl":
                    options.ServiceUrl = value;
                    break;
                case "bucket":
                    options.Bucket = value;
                    break;
                case "accesskey":
                    options.AccessKey = value;
                    break;
                case "secretkey":
                    options.SecretKey = value;
                    break;
                case "region":
                    options.Region = value;
                    break;
                case "forcepathstyle":
                    options.ForcePathStyle = bool.Parse(value);
                    break;
                case "keyprefix" or "prefix":
                    options.KeyPrefix = value;
                    break;
                case "createbucketifmissing":
                    options.CreateBucketIfMissing = bool.Parse(value);
                    break;
                default:
                    throw new ArgumentException($"ConnectionStrings:{S3ConnectionName} has unknown key '{key}'; use Endpoint, Bucket, " +
                        "AccessKey, SecretKey, Region, ForcePathStyle, KeyPrefix, CreateBucketIfMissing", nameof(connectionString));
            }
        }
    }
}
