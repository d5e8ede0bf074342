using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace VectorAspire.ServiceDefaults;

/// <summary>
/// Resolving the providers in the constructor makes them exist from host start (an unresolved singleton would never
/// listen); stopping flushes what is buffered while the exporters' endpoint is most likely still up.
/// </summary>
internal sealed class TelemetryLifetime(TracerProvider tracerProvider, MeterProvider meterProvider) : IHostedService
{
    private const int FlushTimeoutMilliseconds = 5_000;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracerProvider.ForceFlush(FlushTimeoutMilliseconds);
        meterProvider.ForceFlush(FlushTimeoutMilliseconds);
        return Task.CompletedTask;
    }
}
