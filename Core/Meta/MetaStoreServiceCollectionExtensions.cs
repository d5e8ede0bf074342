using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VectorAspire.Core.Meta;

/// <summary>
/// Picks the <see cref="IMetaStore"/> provider from configuration:
/// <c>VectorAspire:MetaStore:Provider</c> = <c>sqlite</c> (default, embedded) or <c>etcd</c> (cluster).
/// SQLite reads <c>VectorAspire:MetaStore:Sqlite</c> (<c>Path</c>, <see cref="SqliteMetaStoreOptions"/>); etcd reads
/// <c>VectorAspire:MetaStore:Etcd</c> (<see cref="EtcdMetaStoreOptions"/>) and then, as Aspire injects it,
/// <c>ConnectionStrings:etcd</c> (which wins for what it sets).
/// </summary>
public static class MetaStoreServiceCollectionExtensions
{
    public const string Section = "VectorAspire:MetaStore";
    public const string EtcdConnectionName = "etcd";

    public static IServiceCollection AddMetaStore(this IServiceCollection services, IConfiguration configuration, string defaultSqlitePath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(Section);
        string provider = section["Provider"] is { Length: > 0 } p ? p.Trim().ToLowerInvariant() : "sqlite";
        switch (provider)
        {
            case "sqlite":
                string path = section["Sqlite:Path"] is { Length: > 0 } configured ? configured : defaultSqlitePath;
                services.AddOptions<SqliteMetaStoreOptions>().Bind(section.GetSection("Sqlite"));
                services.AddSingleton<IMetaStore>(sp => new SqliteMetaStore(path, sp.GetService<TimeProvider>() ?? TimeProvider.System,
                    sp.GetRequiredService<IOptions<SqliteMetaStoreOptions>>().Value));
                break;
            case "etcd":
                services.AddOptions<EtcdMetaStoreOptions>().Configure(o => BindEtcdOptions(configuration, o));
                services.AddSingleton<IMetaStore>(sp => new EtcdMetaStore(sp.GetRequiredService<IOptions<EtcdMetaStoreOptions>>().Value,
                    sp.GetService<ILogger<EtcdMetaStore>>()));
                break;
            default:
                throw new InvalidOperationException($"{Section}:Provider is '{provider}'; use 'sqlite' (embedded) or 'etcd' (cluster)");
        }

        return services;
    }

    /// <summary>Binds <c>VectorAspire:MetaStore:Etcd</c>, then applies <c>ConnectionStrings:etcd</c> when present.</summary>
    public static void BindEtcdOptions(IConfiguration configuration, EtcdMetaStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        configuration.GetSection(Section + ":Etcd").Bind(options);
        if (configuration.GetConnectionString(EtcdConnectionName) is { Length: > 0 } connectionString)
        {
            ApplyConnectionString(options, connectionString);
        }
    }

    /// <summary>
    /// Either a comma-separated list of client URLs (<c>http://10.0.0.1:2379,http://10.0.0.2:2379</c>, Aspire's form)
    /// or <c>Endpoints=...;Prefix=...</c>.
    /// </summary>
    public static void ApplyConnectionString(EtcdMetaStoreOptions options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connectionString);
        if (!connectionString.Contains('=', StringComparison.Ordinal))
        {
            options.Endpoints = SplitEndpoints(connectionString);
            return;
        }

        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in builder.Keys)
        {
            string value = Convert.ToString(builder[key], System.Globalization.CultureInfo.InvariantCulture) ?? "";
            switch (key.ToLowerInvariant())
            {
                case "endpoints" or "endpoint":
                    options.Endpoints = SplitEndpoints(value);
                    break;
                case "prefix":
                    options.Prefix = value;
                    break;
                default:
                    throw new ArgumentException($"ConnectionStrings:{EtcdConnectionName} has unknown key '{key}'; use Endpoints and Prefix",
                        nameof(connectionString));
            }
        }
    }

    private static List<string> SplitEndpoints(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
