using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace VectorAspire.ServiceDefaults;

/// <summary>
/// The Aspire "service defaults" every VectorAspire process calls: health checks, OpenTelemetry over OTLP, and the
/// <c>/health</c> and <c>/alive</c> endpoints. Service discovery is config-based, see <see cref="ServiceEndpoints"/>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddDefaultHealthChecks();
        builder.ConfigureOpenTelemetry();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // "self" only proves the process answers HTTP; it is the liveness signal. Readiness checks (storage, WAL,
        // meta store) are added by the roles without the "live" tag so a slow dependency never restarts the process.
        builder.Services.AddHealthChecks()
            .AddCheck("self", static () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Wires OTLP export of traces, metrics and logs when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured; does
    /// nothing otherwise, so a process run without a collector pays nothing.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var settings = OtlpSettings.FromConfiguration(builder.Configuration, builder.Environment.ApplicationName);
        if (settings is null)
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(settings.CreateResourceBuilder());
            logging.AddOtlpExporter(exporter => settings.Configure(exporter, OtlpSignal.Logs));
        });

        // The SDK's own builders are used because OpenTelemetry.Extensions.Hosting does not restore here. The
        // providers are factory-registered singletons, so the container disposes (and thereby flushes) them when the
        // host is disposed; TelemetryLifetime creates them at start-up and flushes them on graceful stop.
        builder.Services.AddSingleton<TracerProvider>(_ => TelemetryProviders.CreateTracerProvider(settings));
        builder.Services.AddSingleton<MeterProvider>(_ => TelemetryProviders.CreateMeterProvider(settings));
        builder.Services.AddHostedService<TelemetryLifetime>();
        builder.Services.AddSingleton<IStartupFilter, ServerSpanEnricher>();
        return builder;
    }

    /// <summary>Maps <c>/health</c> (every check) and <c>/alive</c> (checks tagged "live").</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = static registration => registration.Tags.Contains(LiveTag),
        });
        return app;
    }
}
