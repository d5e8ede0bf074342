using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

/// <summary>Registers the <see cref="IWal"/> chosen by <c>VectorAspire:Wal:Provider</c>.</summary>
public static class WalServiceCollectionExtensions
{
    public const string Section = "VectorAspire:Wal";

    /// <summary>
    /// <c>local</c> (default): segmented files under <paramref name="defaultLocalPath"/>, options from
    /// <c>VectorAspire:Wal</c>. <c>object</c>: the object-storage WAL over the registered <see cref="IObjectStore"/> and
    /// <see cref="IMetaStore"/> (no disk, no broker), options from <c>VectorAspire:Wal:ObjectStore</c>.
    /// </summary>
    public static IServiceCollection AddWal(this IServiceCollection services, IConfiguration configuration, string defaultLocalPath)
    {
        IConfigurationSection section = configuration.GetSection(Section);
        string provider = section["Provider"] is { Length: > 0 } p ? p.Trim().ToLowerInvariant() : "local";
        switch (provider)
        {
            case "local":
                var local = section.Get<LocalWalOptions>() ?? new LocalWalOptions();
                services.AddSingleton<IWal>(_ => new LocalWal(defaultLocalPath, local));
                break;
            case "object":
                var remote = section.GetSection("ObjectStore").Get<ObjectStoreWalOptions>() ?? new ObjectStoreWalOptions();
                services.AddSingleton<IWal>(sp => new ObjectStoreWal(sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IMetaStore>(), remote));
                break;
            default:
                throw new InvalidOperationException($"{Section}:Provider is '{provider}'; use 'local' (files) or 'object' (object-storage WAL)");
        }

        return services;
    }
}
