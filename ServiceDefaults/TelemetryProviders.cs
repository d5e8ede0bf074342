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

        return builder
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
}
