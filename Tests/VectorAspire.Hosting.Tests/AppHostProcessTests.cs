using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace VectorAspire.Hosting.Tests;

/// <summary>The real AppHost starting the real (built) Standalone server as a child process.</summary>
public sealed partial class AppHostProcessTests : IDisposable
{
    // Generous: the machine is shared with several concurrent builds and a cold `dotnet` start can take seconds.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("vectoraspire-apphost-").FullName;

    [Theory]
    [InlineData(AppHostProcess.SigInt)]
    [InlineData(AppHostProcess.SigTerm)]
    public async Task Starts_standalone_waits_for_health_and_stops_it_on_signal(int signal)
    {
        var port = AppHostProcess.FreePort();
        using var appHost = AppHostProcess.Start("--port", port.ToString(), "--data-dir", _dataDirectory);

        var started = await appHost.WaitForLineAsync("[apphost] standalone started (pid ", s_startTimeout);
        var childPid = int.Parse(ChildPid().Match(started).Groups[1].Value);
        await appHost.WaitForLineAsync("[apphost] Ready", s_startTimeout);

        var output = appHost.Output;
        Assert.Contains($"REST v2   http://127.0.0.1:{port}/v2/vectordb", output, StringComparison.Ordinal);
        Assert.Contains($"health    http://127.0.0.1:{port}/health", output, StringComparison.Ordinal);
        Assert.Contains($"data dir  {_dataDirectory}", output, StringComparison.Ordinal);
        Assert.Contains("[standalone] ", output, StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            using var health = await http.GetAsync($"http://127.0.0.1:{port}/health", TestTimeout.Token());
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        Assert.True(AppHostProcess.IsRunning(childPid));
        appHost.Signal(signal);

        Assert.Equal(0, await appHost.WaitForExitAsync(s_stopTimeout));
        Assert.Contains("[apphost] standalone stopped (exit code 0)", appHost.Output, StringComparison.Ordinal);
        var deadline = Stopwatch.StartNew();
        while (AppHostProcess.IsRunning(childPid))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"standalone (pid {childPid}) outlived the AppHost");
            await Task.Delay(100, TestTimeout.Token());
        }
    }

    [Fact]
    public async Task Reports_the_exit_code_when_standalone_dies_before_it_is_healthy()
    {
        // The port is taken, so the server fails to bind and exits during start-up.
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        using var appHost = AppHostProcess.Start("--port", port.ToString(), "--data-dir", _dataDirectory);

        Assert.Equal(1, await appHost.WaitForExitAsync(s_startTimeout));
        Assert.Matches("error: standalone exited with code [1-9][0-9]* before http://127.0.0.1:[0-9]+/health answered 200", appHost.Output);
    }

    [Fact]
    public async Task Unsupported_topology_is_a_usage_error()
    {
        using var appHost = AppHostProcess.Start("--topology", "cluster");

        Assert.Equal(2, await appHost.WaitForExitAsync(s_startTimeout));
        Assert.Contains("--topology 'cluster' is not supported yet", appHost.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    [GeneratedRegex(@"\(pid (\d+)\)")]
    private static partial Regex ChildPid();
}
