namespace VectorAspire.AppHost.Orchestration;

/// <summary>A resource could not be started or became healthy; the message says which and why.</summary>
public sealed class ResourceFailedException(string message) : Exception(message);
