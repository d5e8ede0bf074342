using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VectorAspire.Core.Tests.TestSupport;

/// <summary>
/// A real server started as a child process for tests: free loopback ports, readiness polled with a deadline, the
/// last lines of its output kept for failure messages, and the whole process tree killed on dispose.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 40;
    private static readonly HashSet<Process> s_running = [];
    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly string _name;

    private ServerProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    static ServerProcess()
    {
        // A test host that ends without disposing its fixtures (a crash, a timeout kill) must not leave servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (s_running)
            {
                foreach (Process process in s_running)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
            }
        };
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>A loopback port that was free a moment ago (the OS picked it for a listener on port 0).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository root (the folder holding VectorAspire.sln), found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VectorAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no VectorAspire.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Finds an executable on PATH (or returns an absolute path as is), or null.</summary>
    public static string? FindOnPath(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static ServerProcess Start(string name, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(name, process);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.Start();
        lock (s_running)
        {
            s_running.Add(process);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Polls <paramref name="probe"/> until it returns true; fails with the server's recent output when the deadline
    /// passes or the process exits first.
    /// </summary>
    public async Task WaitUntilReadyAsync(Func<CancellationToken, Task<bool>> probe, TimeSpan deadline)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode} before it was ready:\n{RecentOutput()}");
            }

            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                if (await probe(attempt.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or SocketException)
            {
            }

            if (stopwatch.Elapsed > deadline)
            {
                throw new TimeoutException($"{_name} was not ready within {deadline}:\n{RecentOutput()}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public string RecentOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    /// <summary>Kills the process tree (SIGKILL: a crash, as far as the server can tell) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        lock (s_running)
        {
            s_running.Remove(_process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    internal static string MissingBinaryMessage(string what, string lookedFor) =>
        new StringBuilder().Append(what).Append(" is not installed (looked for ").Append(lookedFor)
            .Append("). Run scripts/test.sh, or scripts/infra/install.sh, which install the servers the tests need.").ToString();
}
