using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace VectorAspire.ServiceDefaults;

/// <summary>Builds the tracer and meter providers with the sources and meters every VectorAspire process exports.</summary>
public static class TelemetryProviders
{
    /// <summary>ActivitySources traced: ours, and ASP.NET Core's built-in server span source.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } = ["VectorAspire.*", "Microsoft.AspNetCore"];

    /// <summary>Meters exported: ours, ASP.NET Core's and Kestrel's built-in meters, and the .NET 9+ runtime meter.</summary>
    public static IReadOnlyList<string> Meters { get; } =
    [
        "VectorAspire.*",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Runtime",
    ];

    public static TracerProvider CreateTracerProvider(OtlpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(settings.CreateResourceBuilder());
        foreach (var source in ActivitySources)
        {
            builder.AddSource(source);
        }

        // The probe filter runs before the exporter's processor so probe spans are unmarked before export.
        return builder
            .AddProcessor(new ProbeSpanFilter())
            .AddOtlpExporter(exporter => settings.Configure(exporter, OtlpSignal.Traces))
            .Build();
    }

    public static MeterProvider CreateMeterProvider(OtlpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(settings.CreateResourceBuilder());
        foreach (var meter in Meters)
        {
            builder.AddMeter(meter);
        }

        return builder
            .AddOtlpExporter(exporter => settings.Configure(exporter, OtlpSignal.Metrics))
            .Build();
    }

    /// <summary>
    /// Drops the server spans of health probes (an orchestrator polls them every few seconds and they drown real
    /// traffic). Clearing the Recorded flag at the end makes the export processor that runs next skip the span.
    /// </summary>
    private sealed class ProbeSpanFilter : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.Source.Name == "Microsoft.AspNetCore" && IsProbe(data))
            {
                data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }
        }

        private static bool IsProbe(Activity activity)
        {
            var path = activity.GetTagItem("url.path") as string;
            if (path is null)
            {
                var route = activity.GetTagItem("http.route") as string;
                path = route is null ? null : "/" + route.TrimStart('/');
            }

            return string.Equals(path, ServiceDefaultsExtensions.HealthEndpointPath, StringComparison.Ordinal)
                || string.Equals(path, ServiceDefaultsExtensions.AlivenessEndpointPath, StringComparison.Ordinal);
        }
    }
}
