using System.Text;
using VectorAspire.AppHost.Resources;

namespace VectorAspire.AppHost.Orchestration;

/// <summary>
/// Starts an <see cref="AppModel"/>'s resources in order, each one healthy before the next starts, prints their
/// endpoints, then runs until asked to stop or until a resource exits on its own, and stops them in reverse order.
/// </summary>
public sealed class Orchestrator
{
    public const string ReadyMarker = "[apphost] Ready";

    private readonly TextWriter _output;
    private readonly TextWriter _error;

    public Orchestrator(TextWriter output, TextWriter error)
    {
        _output = output;
        _error = error;
    }

    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a resource gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs until <paramref name="stopping"/> fires (returns 0) or a resource fails or exits by itself (returns 1).
    /// <paramref name="force"/> cuts every grace period short (a second Ctrl+C).
    /// </summary>
    public async Task<int> RunAsync(AppModel model, CancellationToken stopping, CancellationToken force)
    {
        ArgumentNullException.ThrowIfNull(model);
        var running = new List<ResourceProcess>();
        using var http = new HttpClient();
        var exitCode = 0;
        try
        {
            foreach (var resource in model.Resources)
            {
                stopping.ThrowIfCancellationRequested();
                var process = ResourceProcess.Start(resource, _output, _error);
                running.Add(process);
                await _output.WriteLineAsync(
                    $"[apphost] {resource.Name} started (pid {process.ProcessId}): {Describe(resource)}");
                await process.WaitHealthyAsync(http, HealthTimeout, stopping);
                await _output.WriteLineAsync($"[apphost] {resource.Name} is healthy");
            }

            await _output.WriteLineAsync(Summarize(model, running));
            await _output.WriteLineAsync(
                $"{ReadyMarker}: topology {model.Topology} is running. Press Ctrl+C to stop.");

            var waits = running.Select(p => (Task)p.Exited).ToList();
            waits.Add(Task.Delay(Timeout.Infinite, stopping));
            var first = await Task.WhenAny(waits);
            if (!stopping.IsCancellationRequested)
            {
                var exited = running.First(p => p.Exited == first);
                await _error.WriteLineAsync(
                    $"[apphost] {exited.Resource.Name} exited on its own with code {await exited.Exited}; stopping the topology.");
                exitCode = 1;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Asked to stop while starting: stop whatever already runs.
        }
        catch (ResourceFailedException ex)
        {
            await _error.WriteLineAsync($"[apphost] error: {ex.Message}");
            exitCode = 1;
        }
        finally
        {
            await StopAllAsync(running, force);
        }

        return exitCode;
    }

    private async Task StopAllAsync(List<ResourceProcess> running, CancellationToken force)
    {
        for (var i = running.Count - 1; i >= 0; i--)
        {
            var process = running[i];
            var wasRunning = !process.Exited.IsCompleted;
            if (wasRunning)
            {
                await _output.WriteLineAsync($"[apphost] stopping {process.Resource.Name} (pid {process.ProcessId})");
            }

            var code = await process.StopAsync(StopGracePeriod, force);
            if (wasRunning)
            {
                await _output.WriteLineAsync($"[apphost] {process.Resource.Name} stopped (exit code {code})");
            }

            process.Dispose();
        }
    }

    private static string Describe(ExecutableResource resource)
    {
        var text = new StringBuilder(resource.Command);
        foreach (var argument in resource.Arguments)
        {
            text.Append(' ').Append(argument.Contains(' ', StringComparison.Ordinal) ? $"\"{argument}\"" : argument);
        }

        return text.ToString();
    }

    private static string Summarize(AppModel model, List<ResourceProcess> running)
    {
        var text = new StringBuilder();
        text.Append("[apphost] Resources of topology ").Append(model.Topology).Append(':');
        foreach (var process in running)
        {
            var resource = process.Resource;
            text.AppendLine().Append("  ").Append(resource.Name).Append(" (pid ").Append(process.ProcessId).Append(')');
            foreach (var endpoint in resource.Endpoints)
            {
                text.AppendLine().Append("    ").Append(endpoint.Description.PadRight(10)).Append(endpoint.Url);
            }

            if (resource.HealthUrl is not null)
            {
                text.AppendLine().Append("    ").Append("health".PadRight(10)).Append(resource.HealthUrl);
            }

            foreach (var (name, value) in resource.Details)
            {
                text.AppendLine().Append("    ").Append(name.PadRight(10)).Append(value);
            }
        }

        return text.ToString();
    }
}
