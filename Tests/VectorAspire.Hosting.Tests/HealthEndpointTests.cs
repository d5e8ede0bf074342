using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.Hosting.Tests;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Health_and_alive_answer_200_Healthy_with_only_the_default_checks()
    {
        var builder = TestWebApps.CreateBuilder();
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync(TestTimeout.Token());
        using var http = new HttpClient { BaseAddress = TestWebApps.BaseAddress(app) };

        foreach (var path in new[] { "/health", "/alive" })
        {
            using var response = await http.GetAsync(path, TestTimeout.Token());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestTimeout.Token()));
        }
    }

    [Fact]
    public async Task Failing_readiness_check_makes_health_503_while_alive_stays_200()
    {
        var builder = TestWebApps.CreateBuilder();
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks()
            .AddCheck("storage", static () => HealthCheckResult.Unhealthy("object store unreachable"));
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync(TestTimeout.Token());
        using var http = new HttpClient { BaseAddress = TestWebApps.BaseAddress(app) };

        using var health = await http.GetAsync("/health", TestTimeout.Token());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync(TestTimeout.Token()));

        using var alive = await http.GetAsync("/alive", TestTimeout.Token());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("Healthy", await alive.Content.ReadAsStringAsync(TestTimeout.Token()));
    }

    [Fact]
    public void Without_an_otlp_endpoint_no_telemetry_provider_is_registered()
    {
        var builder = TestWebApps.CreateBuilder();
        builder.AddServiceDefaults();
        using var app = builder.Build();
        Assert.Null(app.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
        Assert.Null(app.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }
}
