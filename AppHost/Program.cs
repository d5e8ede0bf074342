using VectorAspire.AppHost;
using VectorAspire.AppHost.Topologies;

var builder = DistributedApplication.CreateBuilder(AppHostSettings.MapArguments(args));
try
{
    Topology.AddTo(builder, AppHostSettings.From(builder.Configuration));
}
catch (AppHostConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

await builder.Build().RunAsync();
return 0;
