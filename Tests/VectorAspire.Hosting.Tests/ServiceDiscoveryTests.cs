using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.Hosting.Tests;

/// <summary>HttpClients from the factory resolve logical names from Aspire's <c>services__{name}__{endpoint}__{i}</c>.</summary>
public sealed class ServiceDiscoveryTests
{
    [Theory]
    [InlineData("http://backend/ping")]
    [InlineData("https+http://backend/ping")]
    [InlineData("http://_http.backend/ping")]
    public async Task Logical_service_name_resolves_to_the_configured_address(string url)
    {
        var backendBuilder = TestWebApps.CreateBuilder();
        await using var backend = backendBuilder.Build();
        backend.MapGet("/ping", static () => Results.Text("pong"));
        await backend.StartAsync(TestTimeout.Token());

        var builder = TestWebApps.CreateBuilder([new("services:backend:http:0", TestWebApps.BaseAddress(backend).ToString())]);
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        using var http = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

        Assert.Equal("pong", await http.GetStringAsync(new Uri(url), TestTimeout.Token()));
    }
}
