namespace VectorAspire.AppHost.Resources;

/// <summary>Something the AppHost starts and watches, named kebab-case like an Aspire resource.</summary>
public abstract class Resource
{
    protected Resource(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    public string Name { get; }
}
