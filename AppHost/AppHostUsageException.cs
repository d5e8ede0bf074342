namespace VectorAspire.AppHost;

/// <summary>A command-line mistake; the AppHost prints the message and its usage and exits with code 2.</summary>
public sealed class AppHostUsageException(string message) : Exception(message);
