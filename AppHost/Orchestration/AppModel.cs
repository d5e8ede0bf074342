using VectorAspire.AppHost.Resources;

namespace VectorAspire.AppHost.Orchestration;

/// <summary>The resources of one topology in start order; they stop in reverse order.</summary>
public sealed class AppModel
{
    private readonly List<ExecutableResource> _resources = [];

    public AppModel(string topology)
    {
        Topology = topology;
    }

    public string Topology { get; }

    public IReadOnlyList<ExecutableResource> Resources => _resources;

    public TResource Add<TResource>(TResource resource)
        where TResource : ExecutableResource
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_resources.Exists(existing => existing.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already in the model.");
        }

        _resources.Add(resource);
        return resource;
    }
}
