using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace VectorAspire.ServiceDefaults;

/// <summary>
/// ASP.NET Core's built-in server activity carries no tags; OpenTelemetry's ASP.NET Core instrumentation package adds
/// them but does not restore here. This middleware sets the semantic-convention tags an OTLP backend needs (method,
/// path, route, status) and names the span "{method} {route}", and drops health probe spans from export.
/// </summary>
internal sealed class ServerSpanEnricher : IStartupFilter
{
    private const string HostingSourceName = "Microsoft.AspNetCore";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(EnrichAsync);
        next(app);
    };

    internal static bool IsProbePath(PathString path) =>
        path.Equals(ServiceDefaultsExtensions.HealthEndpointPath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(ServiceDefaultsExtensions.AlivenessEndpointPath, StringComparison.OrdinalIgnoreCase);

    private static async Task EnrichAsync(HttpContext context, RequestDelegate next)
    {
        var activity = Activity.Current;
        if (activity is null || activity.Source.Name != HostingSourceName || !activity.IsAllDataRequested)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (IsProbePath(request.Path))
        {
            // An orchestrator polls these every few seconds; exporting them would drown real traffic.
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("server.address", request.Host.Host);
        if (request.Host.Port is { } port)
        {
            activity.SetTag("server.port", port);
        }

        activity.SetTag("network.protocol.version", ProtocolVersion(request.Protocol));
        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            activity.SetTag("http.response.status_code", status);
            if (status >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }

            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (route is not null)
            {
                activity.SetTag("http.route", route);
                activity.DisplayName = $"{request.Method} {route}";
            }
            else
            {
                activity.DisplayName = request.Method;
            }
        }
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ => protocol,
    };
}
