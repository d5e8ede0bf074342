namespace VectorAspire.AppHost.Resources;

/// <summary>
/// A named endpoint of a resource. <see cref="Name"/> is the service-discovery endpoint name
/// (<c>services__{resource}__{Name}__0</c>); <see cref="Description"/> is what the console shows.
/// </summary>
public sealed record ResourceEndpoint(string Name, Uri Url, string Description);
