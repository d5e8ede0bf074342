using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Meta;

/// <summary>A role picks its meta and object store providers by configuration, Aspire connection strings included.</summary>
public sealed class StorageProviderRegistrationTests(EtcdServerFixture etcd, S3rverServerFixture s3)
    : IClassFixture<EtcdServerFixture>, IClassFixture<S3rverServerFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _dir.Dispose();

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddMetaStore(configuration, _dir.Combine("meta", "meta.db"))
            .AddObjectStore(configuration, _dir.Combine("objects"))
            .BuildServiceProvider();
    }

    [Fact]
    public async Task WithoutConfigurationTheEmbeddedProvidersUseTheGivenPaths()
    {
        Directory.CreateDirectory(_dir.Combine("meta"));
        await using ServiceProvider services = Build([]);
        IMetaStore meta = services.GetRequiredService<IMetaStore>();
        Assert.IsType<SqliteMetaStore>(meta);
        await meta.PutAsync("k", new byte[] { 1 }, 0, Ct);
        Assert.True(File.Exists(_dir.Combine("meta", "meta.db")));
        var objects = Assert.IsType<LocalObjectStore>(services.GetRequiredService<IObjectStore>());
        Assert.Equal(_dir.Combine("objects"), objects.RootDirectory);
    }

    [Fact]
    public async Task ClusterProvidersComeFromAspireConnectionStrings()
    {
        string prefix = EtcdServer.UniquePrefix();
        string bucket = S3rverServer.UniqueBucket();
        await using ServiceProvider services = Build(new()
        {
            ["VectorAspire:MetaStore:Provider"] = "etcd",
            ["VectorAspire:MetaStore:Etcd:Prefix"] = prefix,
            ["ConnectionStrings:etcd"] = etcd.Server.ClientUrl,
            ["VectorAspire:ObjectStore:Provider"] = "S3",
            ["VectorAspire:ObjectStore:S3:CreateBucketIfMissing"] = "true",
            ["ConnectionStrings:s3"] = s3.Server.ConnectionString(bucket),
        });

        var meta = Assert.IsType<EtcdMetaStore>(services.GetRequiredService<IMetaStore>());
        Assert.Equal((prefix, etcd.Server.ClientUrl), (meta.Options.Prefix, meta.Options.Endpoints.Single()));
        long r = await meta.PutAsync("k", new byte[] { 7 }, 0, Ct);
        Assert.Equal(r, (await meta.GetAsync("k", Ct))!.ModRevision);

        var objects = Assert.IsType<S3ObjectStore>(services.GetRequiredService<IObjectStore>());
        Assert.Equal((bucket, true), (objects.Options.Bucket, objects.Options.CreateBucketIfMissing));
        await objects.PutAsync("a/b", new byte[] { 1, 2 }, Ct);
        Assert.Equal(new byte[] { 1, 2 }, await objects.GetAsync("a/b", Ct));
    }

    [Fact]
    public void OptionSectionsConfigureTheClusterProvidersWithoutConnectionStrings()
    {
        using ServiceProvider services = Build(new()
        {
            ["VectorAspire:MetaStore:Provider"] = "etcd",
            ["VectorAspire:MetaStore:Etcd:Endpoints:0"] = "http://10.1.1.1:2379",
            ["VectorAspire:MetaStore:Etcd:Endpoints:1"] = "http://10.1.1.2:2379",
            ["VectorAspire:MetaStore:Etcd:DialTimeout"] = "00:00:03",
            ["VectorAspire:ObjectStore:Provider"] = "s3",
            ["VectorAspire:ObjectStore:S3:ServiceUrl"] = "http://10.1.1.3:9000",
            ["VectorAspire:ObjectStore:S3:Bucket"] = "vectors",
            ["VectorAspire:ObjectStore:S3:KeyPrefix"] = "c1/",
        });
        EtcdMetaStoreOptions etcdOptions = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EtcdMetaStoreOptions>>().Value;
        Assert.Equal(["http://10.1.1.1:2379", "http://10.1.1.2:2379"], etcdOptions.Endpoints);
        Assert.Equal((TimeSpan.FromSeconds(3), "vectoraspire/"), (etcdOptions.DialTimeout, etcdOptions.Prefix));
        S3ObjectStoreOptions s3Options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<S3ObjectStoreOptions>>().Value;
        Assert.Equal(("http://10.1.1.3:9000", "vectors", "c1/", false), (s3Options.ServiceUrl, s3Options.Bucket, s3Options.KeyPrefix, s3Options.CreateBucketIfMissing));
    }

    [Fact]
    public void UnknownProviderIsRefusedWithTheChoices()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["VectorAspire:MetaStore:Provider"] = "zookeeper" }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMetaStore(configuration, "x.db"));
        Assert.Contains("'sqlite'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'etcd'", e.Message, StringComparison.Ordinal);
    }
}
