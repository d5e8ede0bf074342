using System.Net.Http;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Tests.TestSupport;

/// <summary>
/// A real etcd 3.4 server for tests: its own process on free loopback ports with a temp data directory, ready when
/// <c>GET /health</c> says true, killed and deleted on dispose. The binary is <c>$ETCD_BIN</c> or <c>etcd</c> on PATH
/// (scripts/infra/install.sh installs Debian's etcd-server); when it is missing, <see cref="StartAsync"/> throws with
/// a message that says so, so the tests fail rather than skip. Share one server per test class
/// (<see cref="EtcdServerFixture"/>) and isolate tests with <see cref="CreateOptions"/>' unique key prefixes.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan s_readyDeadline = TimeSpan.FromSeconds(60);
    private readonly string _binary;
    private readonly TempDirectory _dataDirectory = new();
    private ServerProcess? _process;

    private EtcdServer(string binary, int clientPort, int peerPort)
    {
        _binary = binary;
        ClientPort = clientPort;
        PeerPort = peerPort;
    }

    public int ClientPort { get; private set; }

    public int PeerPort { get; private set; }

    /// <summary>The client URL, e.g. <c>http://127.0.0.1:41234</c> (what <c>ConnectionStrings__etcd</c> holds).</summary>
    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    public string DataDirectory => _dataDirectory.Path;

    public static async Task<EtcdServer> StartAsync()
    {
        string lookedFor = Environment.GetEnvironmentVariable("ETCD_BIN") ?? "etcd";
        string binary = ServerProcess.FindOnPath(lookedFor)
            ?? throw new InvalidOperationException(ServerProcess.MissingBinaryMessage("etcd", lookedFor + " on PATH or $ETCD_BIN"));
        for (int attempt = 1; ; attempt++)
        {
            var server = new EtcdServer(binary, ServerProcess.FreePort(), ServerProcess.FreePort());
            try
            {
                await server.StartProcessAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server.DisposeAsync().ConfigureAwait(false); // most likely a port taken in between: new ports
            }
        }
    }

    /// <summary>Options for a store in a fresh namespace of this server (a unique prefix unless one is given).</summary>
    public EtcdMetaStoreOptions CreateOptions(string? prefix = null) => new()
    {
        Endpoints = [ClientUrl],
        Prefix = prefix ?? UniquePrefix(),
        DialTimeout = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromSeconds(20),
        WatchReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    public static string UniquePrefix() => $"test-{Guid.NewGuid():N}/";

    /// <summary>Kills the server (as a crash would), keeping its data directory and ports.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }
    }

    /// <summary>Starts the server again on the same ports and data directory (after <see cref="KillAsync"/>).</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _dataDirectory.Dispose();
    }

    private async Task StartProcessAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("etcd is already running");
        }

        string peer = $"http://127.0.0.1:{PeerPort}";
        _process = ServerProcess.Start("etcd", _binary,
        [
            "--name", "test", "--data-dir", Path.Combine(DataDirectory, "etcd"), "--logger", "zap", "--log-level", "warn",
            "--listen-client-urls", ClientUrl, "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"test={peer}",
        ]);
        using var http = new HttpClient { BaseAddress = new Uri(ClientUrl) };
        await _process.WaitUntilReadyAsync(async ct =>
            (await http.GetStringAsync(new Uri("/health", UriKind.Relative), ct).ConfigureAwait(false))
                .Contains("\"health\":\"true\"", StringComparison.Ordinal), s_readyDeadline).ConfigureAwait(false);
    }
}

/// <summary>One <see cref="EtcdServer"/> per test class: <c>IClassFixture&lt;EtcdServerFixture&gt;</c>.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    public EtcdServer Server => _server ?? throw new InvalidOperationException("etcd fixture not started");

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
