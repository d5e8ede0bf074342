using System.Diagnostics;

namespace VectorAspire.EndToEnd.Tests.Cluster;

/// <summary>
/// A real cluster for the tests, run by <c>scripts/cluster.sh</c> exactly as a user runs it: etcd, s3rver and every
/// role as its own process (2 Coordinators, 2 StreamingNodes, 2 QueryNodes, 2 DataNodes, 2 Proxies) on loopback.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    private static readonly string s_script = Path.Combine(ServerProcess.RepoRoot(), "scripts", "cluster.sh");

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "vectoraspire-cluster", Guid.NewGuid().ToString("N"));

    /// <summary>The Proxies' REST+gRPC addresses (the ports stay the same when a Proxy is restarted).</summary>
    public IReadOnlyList<Uri> Proxies { get; private set; } = [];

    public Uri Proxy => Proxies[0];

    /// <summary>Every role exports its traces here (OTLP over HTTP), as under Aspire.</summary>
    public OtlpTraceReceiver Traces { get; } = new();

    public async Task InitializeAsync()
    {
        string output = await RunAsync(TimeSpan.FromMinutes(5), "start");
        string last = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("VA_ADDR=127.0.0.1:", last);
        Proxies = [new Uri("http://" + last["VA_ADDR=".Length..]), new Uri("http://127.0.0.1:" + File.ReadAllText(Path.Combine(Dir, "proxy-1.port")).Trim())];
    }

    /// <summary>kill -9 of one instance (role "leader" = the Coordinator leader); returns the script's output.</summary>
    public Task<string> KillAsync(string role, int n = 0) => RunAsync(TimeSpan.FromSeconds(30), "kill", role, n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Starts whatever is not running again (the script's start is idempotent) and waits until it serves.</summary>
    public Task<string> HealAsync() => RunAsync(TimeSpan.FromMinutes(3), "start");

    public int Pid(string name) => int.Parse(File.ReadAllText(Path.Combine(Dir, "pids", name + ".pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public string Log(string name)
    {
        string path = Path.Combine(Dir, "logs", name + ".log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>The tail of every role's log, for failure messages.</summary>
    public string Logs()
    {
        var sb = new System.Text.StringBuilder();
        foreach (string f in Directory.EnumerateFiles(Path.Combine(Dir, "logs"), "*.log").Order())
        {
            var lines = File.ReadAllLines(f);
            sb.AppendLine($"--- {Path.GetFileName(f)} ---");
            foreach (string l in lines.Skip(Math.Max(0, lines.Length - 25)))
                sb.AppendLine(l);
        }
        return sb.ToString();
    }

    private async Task<string> RunAsync(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(s_script);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["VA_CLUSTER_DIR"] = Dir;
        psi.Environment["VA_NO_BUILD"] = "1";
        psi.Environment["VA_CONFIGURATION"] = ServerProcess.Configuration;
        psi.Environment["VA_DATA_NODES"] = "2";
        psi.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = Traces.Endpoint.ToString().TrimEnd('/');
        psi.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        psi.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "500";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"cluster.sh {string.Join(' ', args)} timed out:\n{await stdout}\n{await stderr}\n{Logs()}");
        }
        string output = await stdout + await stderr;
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"cluster.sh {string.Join(' ', args)} exited {p.ExitCode}:\n{output}\n{Logs()}");
        return output;
    }

    public async Task DisposeAsync()
    {
        await RunAsync(TimeSpan.FromMinutes(1), "stop");
        Traces.Dispose();
        if (Environment.GetEnvironmentVariable("VECTORASPIRE_KEEP_CLUSTER_DIR") == "1")
            return; // keep the logs for a post-mortem
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<LocalCluster>
{
    public const string Name = "local cluster";
}
