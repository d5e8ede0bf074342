namespace VectorAspire.AppHost.Kubernetes;

/// <summary>
/// A directory the process writes to but need not keep (a cluster role's local files: its data lives in the object
/// store and etcd). The Kubernetes generator mounts an emptyDir there: images that `dotnet publish
/// -t:PublishContainer` builds run as a non-root user, who cannot write under /var/lib otherwise.
/// </summary>
public sealed record ScratchDirectoryAnnotation(string Path) : IResourceAnnotation;
