namespace VectorAspire.Gateway;

/// <summary>The <c>VectorAspire:Gateway</c> section: which Proxies to balance across and how often to probe them.</summary>
public sealed class GatewayOptions
{
    public const string Section = "VectorAspire:Gateway";

    /// <summary>
    /// Destination name → address. An address is a URL (<c>http://127.0.0.1:19531</c>) or an Aspire service name
    /// (<c>http://proxy-0</c>), resolved through <c>services__proxy-0__http__0</c>.
    /// </summary>
    public Dictionary<string, string> Destinations { get; set; } = [];

    /// <summary>How often every destination's <c>/health</c> is probed; a destination failing two probes in a row stops getting traffic.</summary>
    public double HealthCheckIntervalSeconds { get; set; } = 5;

    /// <summary>How long one probe may take before it counts as a failure.</summary>
    public double HealthCheckTimeoutSeconds { get; set; } = 2;
}
