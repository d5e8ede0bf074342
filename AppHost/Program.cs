using System.Runtime.InteropServices;
using VectorAspire.AppHost;
using VectorAspire.AppHost.Orchestration;
using VectorAspire.AppHost.Resources;
using VectorAspire.AppHost.Topologies;

AppHostOptions options;
AppModel model;
try
{
    options = AppHostOptions.Parse(args);
    model = StandaloneTopology.Build(options, ProjectResourcePath.FromBuildMetadata("standalone"));
}
catch (AppHostUsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(AppHostOptions.Usage);
    return 2;
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

// First Ctrl+C / SIGTERM: stop the topology gracefully. Second: cut the grace periods short.
using var stopping = new CancellationTokenSource();
using var force = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (stopping.IsCancellationRequested)
    {
        force.Cancel();
    }
    else
    {
        stopping.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

Console.WriteLine($"[apphost] starting topology {model.Topology}");
var orchestrator = new Orchestrator(Console.Out, Console.Error) { HealthTimeout = options.HealthTimeout };
return await orchestrator.RunAsync(model, stopping.Token, force.Token);
