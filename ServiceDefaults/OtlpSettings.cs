using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;

namespace VectorAspire.ServiceDefaults;

public enum OtlpSignal
{
    Traces,
    Metrics,
    Logs,
}

/// <summary>
/// The OTLP settings read from configuration (so environment variables, command line and appsettings all work) with
/// the names the OpenTelemetry specification gives the environment variables.
/// </summary>
public sealed class OtlpSettings
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    public OtlpSettings(Uri endpoint, OtlpExportProtocol protocol, string serviceName)
    {
        Endpoint = endpoint;
        Protocol = protocol;
        ServiceName = serviceName;
    }

    public Uri Endpoint { get; }

    public OtlpExportProtocol Protocol { get; }

    public string ServiceName { get; }

    /// <summary>Returns null when no OTLP endpoint is configured.</summary>
    public static OtlpSettings? FromConfiguration(IConfiguration configuration, string applicationName)
    {
        var endpointText = configuration[EndpointKey];
        if (string.IsNullOrWhiteSpace(endpointText))
        {
            return null;
        }

        if (!Uri.TryCreate(endpointText.Trim(), UriKind.Absolute, out var endpoint))
        {
            throw new InvalidOperationException(
                $"{EndpointKey} must be an absolute URI such as http://localhost:4317; got '{endpointText}'.");
        }

        var protocol = ParseProtocol(configuration[ProtocolKey]);
        var serviceName = configuration[ServiceNameKey];
        if (string.IsNullOrWhiteSpace(serviceName))
        {
            serviceName = applicationName;
        }

        return new OtlpSettings(endpoint, protocol, serviceName);
    }

    public static OtlpExportProtocol ParseProtocol(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException(
            $"{ProtocolKey} '{value}' is not supported; use 'grpc' (the default) or 'http/protobuf'."),
    };

    /// <summary>
    /// The endpoint one signal's exporter posts to. The exporter appends <c>/v1/{signal}</c> only when it read the
    /// endpoint from the environment itself; an endpoint set in code is used as is, so the path is appended here.
    /// </summary>
    public Uri GetSignalEndpoint(OtlpSignal signal)
    {
        if (Protocol == OtlpExportProtocol.Grpc)
        {
            return Endpoint;
        }

        var path = signal switch
        {
            OtlpSignal.Traces => "v1/traces",
            OtlpSignal.Metrics => "v1/metrics",
            _ => "v1/logs",
        };
        var text = Endpoint.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path);
    }

    public void Configure(OtlpExporterOptions options, OtlpSignal signal)
    {
        options.Endpoint = GetSignalEndpoint(signal);
        options.Protocol = Protocol;
    }

    public ResourceBuilder CreateResourceBuilder() => ResourceBuilder.CreateDefault().AddService(ServiceName);
}
