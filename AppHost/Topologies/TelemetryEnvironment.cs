using VectorAspire.AppHost.Resources;

namespace VectorAspire.AppHost.Topologies;

/// <summary>The environment every resource gets from the AppHost, as Aspire sets it in run mode.</summary>
public static class TelemetryEnvironment
{
    public static void Apply(ExecutableResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT");
        resource.Environment["DOTNET_ENVIRONMENT"] = string.IsNullOrEmpty(environment) ? "Development" : environment;

        var otlpEndpoint = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (string.IsNullOrEmpty(otlpEndpoint))
        {
            return;
        }

        resource.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
        var protocol = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL");
        if (!string.IsNullOrEmpty(protocol))
        {
            resource.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol;
        }

        // Aspire shortens the export intervals locally so a dashboard shows data within a second, not a minute.
        resource.Environment.TryAdd("OTEL_BSP_SCHEDULE_DELAY", "1000");
        resource.Environment.TryAdd("OTEL_BLRP_SCHEDULE_DELAY", "1000");
        resource.Environment.TryAdd("OTEL_METRIC_EXPORT_INTERVAL", "1000");
    }
}
