using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace VectorAspire.ServiceDefaults;

/// <summary>
/// Config-based service discovery with Aspire's conventions: an orchestrator sets
/// <c>services__{service}__{endpoint}__{i}</c> (configuration key <c>services:{service}:{endpoint}:{i}</c>) for each
/// address of a named endpoint, or <c>ConnectionStrings__{service}</c> for infrastructure given as one URI.
/// </summary>
public static class ServiceEndpoints
{
    public const string DefaultEndpointName = "http";

    /// <summary>The first address of the endpoint; throws naming the keys it read when there is none.</summary>
    public static Uri Resolve(IConfiguration configuration, string serviceName, string endpointName = DefaultEndpointName)
    {
        var all = ResolveAll(configuration, serviceName, endpointName);
        if (all.Count == 0)
        {
            throw new InvalidOperationException(
                $"No address configured for service '{serviceName}' endpoint '{endpointName}'. Set " +
                $"services__{serviceName}__{endpointName}__0 (configuration key services:{serviceName}:{endpointName}:0) " +
                $"or ConnectionStrings__{serviceName} to an absolute URI such as http://127.0.0.1:19530.");
        }

        return all[0];
    }

    public static Uri? TryResolve(IConfiguration configuration, string serviceName, string endpointName = DefaultEndpointName)
    {
        var all = ResolveAll(configuration, serviceName, endpointName);
        return all.Count == 0 ? null : all[0];
    }

    /// <summary>
    /// Every address of the endpoint in index order. <c>services:</c> entries win over the connection string, which
    /// is only used when it is an absolute URI (a connection string such as a directory path is not an address).
    /// </summary>
    public static IReadOnlyList<Uri> ResolveAll(
        IConfiguration configuration, string serviceName, string endpointName = DefaultEndpointName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpointName);

        var section = configuration.GetSection("services").GetSection(serviceName).GetSection(endpointName);
        var indexed = new List<(int Index, Uri Address)>();
        foreach (var child in section.GetChildren())
        {
            if (string.IsNullOrWhiteSpace(child.Value))
            {
                continue;
            }

            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new InvalidOperationException(
                    $"Configuration key '{child.Path}' must end in an index (services:{serviceName}:{endpointName}:0).");
            }

            indexed.Add((index, ParseAddress(child.Path, child.Value)));
        }

        if (indexed.Count > 0)
        {
            indexed.Sort(static (a, b) => a.Index.CompareTo(b.Index));
            var addresses = new Uri[indexed.Count];
            for (var i = 0; i < addresses.Length; i++)
            {
                addresses[i] = indexed[i].Address;
            }

            return addresses;
        }

        // A single value without an index (services__name__http=...) is accepted as the only address.
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return [ParseAddress(section.Path, section.Value)];
        }

        var connectionString = configuration.GetConnectionString(serviceName);
        if (!string.IsNullOrWhiteSpace(connectionString)
            && Uri.TryCreate(connectionString.Trim(), UriKind.Absolute, out var fromConnectionString)
            && !fromConnectionString.IsFile)
        {
            return [fromConnectionString];
        }

        return [];
    }

    private static Uri ParseAddress(string key, string value)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var address))
        {
            throw new InvalidOperationException(
                $"Configuration key '{key}' must be an absolute URI such as http://127.0.0.1:19530; got '{value}'.");
        }

        return address;
    }
}
