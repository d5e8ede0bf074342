namespace VectorAspire.AppHost.Topologies;

/// <summary>Declares the resources of the configured topology on the app model.</summary>
public static class Topology
{
    /// <exception cref="AppHostConfigurationException">Unknown topology, or one that cannot be built yet.</exception>
    public static void AddTo(IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        switch (settings.Topology)
        {
            case AppHostSettings.StandaloneTopologyName:
                StandaloneTopology.AddTo(builder, settings);
                break;
            case AppHostSettings.ClusterTopologyName:
                ClusterTopology.AddTo(builder, settings);
                break;
            default:
                throw new AppHostConfigurationException(
                    $"unknown topology '{settings.Topology}'; use --topology {AppHostSettings.StandaloneTopologyName} " +
                    $"(the default) or --topology {AppHostSettings.ClusterTopologyName}.");
        }
    }
}
