using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace VectorAspire.ServiceDefaults;

/// <summary>
/// Aspire's service defaults contract, called by every VectorAspire process: OpenTelemetry exported over OTLP, health
/// checks, service discovery (<c>services__{name}__{endpoint}__{i}</c>) and standard resilience for HttpClients;
/// <see cref="MapDefaultEndpoints"/> serves <c>/health</c> and <c>/alive</c>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Our ActivitySources and Meters are all named <c>VectorAspire.{Role}[.{Area}]</c>.</summary>
    public const string TelemetryNamePattern = "VectorAspire.*";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(static http =>
        {
            // Retries, timeouts and a circuit breaker for request/response calls. A long-lived streaming client
            // (gRPC server streaming, a watch) must opt out per client: the standard total timeout is 30 s.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
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
    /// Traces, metrics and logs over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured (Aspire sets it, with
    /// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and <c>OTEL_SERVICE_NAME</c>). Unlike Aspire's template, nothing is
    /// registered without an endpoint: a recording tracer with no exporter would still cost every request a span.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(static logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryNamePattern)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(TelemetryNamePattern)
                .AddSource(builder.Environment.ApplicationName)
                // Orchestrators and gateways poll the probes every few seconds; those spans would drown real traffic.
                .AddAspNetCoreInstrumentation(static options => options.Filter = static context => !IsProbe(context.Request.Path))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation(static options => options.FilterHttpRequestMessage =
                    static request => request.RequestUri is not { } uri || !IsProbe(new PathString(uri.AbsolutePath))))
            // Reads endpoint, protocol, headers and resource attributes from configuration, as the spec names them.
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>Maps <c>/health</c> (every check) and <c>/alive</c> (checks tagged "live").</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = static registration => registration.Tags.Contains(LiveTag),
        });
        return app;
    }

    internal static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(AlivenessEndpointPath, StringComparison.OrdinalIgnoreCase);
}
