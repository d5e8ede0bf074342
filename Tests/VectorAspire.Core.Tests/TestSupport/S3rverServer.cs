using System.Net.Http;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Tests.TestSupport;

/// <summary>
/// A real S3 API emulator for tests: s3rver 3.7.1 (npm, installed into scripts/infra/node by scripts/infra/install.sh)
/// as its own node process on a free loopback port with a temp data directory, ready at its first HTTP answer,
/// killed and deleted on dispose. <c>$S3RVER_JS</c> overrides the script path. When it is missing,
/// <see cref="StartAsync"/> throws with a message that says so, so the tests fail rather than skip.
/// s3rver accepts only the access key and secret <c>S3RVER</c>. Share one server per test class
/// (<see cref="S3rverServerFixture"/>) and isolate tests with <see cref="CreateOptions"/>' unique buckets.
/// </summary>
public sealed class S3rverServer : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private static readonly TimeSpan s_readyDeadline = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dataDirectory = new();
    private ServerProcess? _process;

    private S3rverServer(int port) => Port = port;

    public int Port { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public string DataDirectory => _dataDirectory.Path;

    /// <summary>What <c>ConnectionStrings__s3</c> would hold for <paramref name="bucket"/> on this server.</summary>
    public string ConnectionString(string bucket) =>
        $"Endpoint={ServiceUrl};Bucket={bucket};AccessKey={AccessKey};SecretKey={SecretKey};Region=us-east-1;ForcePathStyle=true";

    public static async Task<S3rverServer> StartAsync()
    {
        string script = Environment.GetEnvironmentVariable("S3RVER_JS")
            ?? Path.Combine(ServerProcess.RepositoryRoot(), "scripts", "infra", "node", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(ServerProcess.MissingBinaryMessage("s3rver", script));
        }

        string node = ServerProcess.FindOnPath("node")
            ?? throw new InvalidOperationException(ServerProcess.MissingBinaryMessage("node", "node on PATH"));
        for (int attempt = 1; ; attempt++)
        {
            var server = new S3rverServer(ServerProcess.FreePort());
            try
            {
                await server.StartProcessAsync(node, script).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server.DisposeAsync().ConfigureAwait(false); // most likely a port taken in between: a new port
            }
        }
    }

    /// <summary>Options for a store on this server, in a fresh bucket (created on first use) unless one is given.</summary>
    public S3ObjectStoreOptions CreateOptions(string? bucket = null, string keyPrefix = "") => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = bucket ?? UniqueBucket(),
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        ForcePathStyle = true,
        KeyPrefix = keyPrefix,
        CreateBucketIfMissing = true,
    };

    /// <summary>A valid, unused bucket name (lowercase, at most 63 characters).</summary>
    public static string UniqueBucket() => $"test-{Guid.NewGuid():N}";

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }

        _dataDirectory.Dispose();
    }

    private async Task StartProcessAsync(string node, string script)
    {
        _process = ServerProcess.Start("s3rver", node,
            [script, "-d", DataDirectory, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"],
            new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" }); // else ListObjects fails (ERR_OSSL_EVP_UNSUPPORTED)
        using var http = new HttpClient { BaseAddress = new Uri(ServiceUrl) };
        await _process.WaitUntilReadyAsync(async ct =>
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri("/", UriKind.Relative), ct).ConfigureAwait(false);
            return true; // any HTTP answer, even 403, means it serves
        }, s_readyDeadline).ConfigureAwait(false);
    }
}

/// <summary>One <see cref="S3rverServer"/> per test class: <c>IClassFixture&lt;S3rverServerFixture&gt;</c>.</summary>
public sealed class S3rverServerFixture : IAsyncLifetime
{
    private S3rverServer? _server;

    public S3rverServer Server => _server ?? throw new InvalidOperationException("s3rver fixture not started");

    public async Task InitializeAsync() => _server = await S3rverServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
