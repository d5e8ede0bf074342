using System.Diagnostics;
using VectorAspire.AppHost.Resources;

namespace VectorAspire.AppHost.Orchestration;

/// <summary>
/// One running child process of a resource: streams its output prefixed with the resource name, waits for its
/// health URL, and stops it with SIGTERM, then SIGKILL after a grace period.
/// </summary>
public sealed class ResourceProcess : IDisposable
{
    private static readonly TimeSpan s_healthPollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_healthRequestTimeout = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly string _prefix;

    private ResourceProcess(ExecutableResource resource, Process process, TextWriter output, TextWriter error)
    {
        Resource = resource;
        _process = process;
        _prefix = $"[{resource.Name}] ";
        ProcessId = process.Id;
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, error);
        Exited = WaitForExitAsync(stdout, stderr);
    }

    public ExecutableResource Resource { get; }

    public int ProcessId { get; }

    /// <summary>Completes with the exit code once the process has exited and its output is fully written.</summary>
    public Task<int> Exited { get; }

    public static ResourceProcess Start(ExecutableResource resource, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var process = new Process { StartInfo = resource.CreateStartInfo() };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new ResourceFailedException(
                $"{resource.Name}: could not start '{resource.Command}': {ex.Message}");
        }

        return new ResourceProcess(resource, process, output, error);
    }

    /// <summary>Polls the health URL until it answers 200; fails when the process exits or the deadline passes.</summary>
    public async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (Resource.HealthUrl is null)
        {
            return;
        }

        var deadline = Stopwatch.StartNew();
        string lastProblem = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Exited.IsCompleted)
            {
                throw new ResourceFailedException(
                    $"{Resource.Name} exited with code {await Exited} before {Resource.HealthUrl} answered 200.");
            }

            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attempt.CancelAfter(s_healthRequestTimeout);
                try
                {
                    using var response = await http.GetAsync(Resource.HealthUrl, attempt.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }

                    lastProblem = $"HTTP {(int)response.StatusCode}";
                }
                catch (HttpRequestException ex)
                {
                    lastProblem = ex.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastProblem = $"no answer within {s_healthRequestTimeout.TotalSeconds:0} s";
                }
            }

            if (deadline.Elapsed >= timeout)
            {
                throw new ResourceFailedException(
                    $"{Resource.Name} did not become healthy within {timeout.TotalSeconds:0} s: " +
                    $"{Resource.HealthUrl} last gave {lastProblem}.");
            }

            // Wake early when the process dies so the error names the exit code instead of the timeout.
            await Task.WhenAny(Exited, Task.Delay(s_healthPollInterval, cancellationToken));
        }
    }

    /// <summary>
    /// SIGTERM, wait up to <paramref name="gracePeriod"/>, then kill the process tree. Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan gracePeriod, CancellationToken forceToken)
    {
        if (!Exited.IsCompleted && ProcessSignals.TryRequestStop(ProcessId))
        {
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(forceToken);
            grace.CancelAfter(gracePeriod);
            try
            {
                return await Exited.WaitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Grace period over or a second Ctrl+C: fall through to the kill.
            }
        }

        if (!Exited.IsCompleted)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }

        return await Exited;
    }

    public void Dispose() => _process.Dispose();

    private async Task PumpAsync(StreamReader reader, TextWriter target)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            await target.WriteLineAsync(_prefix + line);
        }
    }

    private async Task<int> WaitForExitAsync(Task stdout, Task stderr)
    {
        await _process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        return _process.ExitCode;
    }
}
