namespace VectorAspire.AppHost;

/// <summary>The AppHost cannot declare what it was asked for; it prints the message and exits with code 2.</summary>
public sealed class AppHostConfigurationException(string message) : Exception(message);
