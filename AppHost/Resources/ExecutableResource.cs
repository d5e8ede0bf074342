using System.Diagnostics;

namespace VectorAspire.AppHost.Resources;

/// <summary>A resource run as a child process: command, arguments, environment, endpoints and a health URL.</summary>
public class ExecutableResource : Resource
{
    /// <summary>
    /// Inherited variables that would make a child bind addresses other than the ones its arguments give it.
    /// </summary>
    private static readonly string[] s_removedVariables =
        ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS", "DOTNET_URLS"];

    public ExecutableResource(string name, string command, string workingDirectory)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        Command = command;
        WorkingDirectory = workingDirectory;
    }

    public string Command { get; }

    public string WorkingDirectory { get; }

    public List<string> Arguments { get; } = [];

    /// <summary>Set on top of the AppHost's own environment.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public List<ResourceEndpoint> Endpoints { get; } = [];

    /// <summary>Polled until it answers 200 before the resource counts as started; null means started at once.</summary>
    public Uri? HealthUrl { get; set; }

    /// <summary>Extra lines for the console summary, such as the data directory.</summary>
    public List<KeyValuePair<string, string>> Details { get; } = [];

    public ExecutableResource WithArguments(params string[] arguments)
    {
        Arguments.AddRange(arguments);
        return this;
    }

    public ExecutableResource WithEnvironment(string name, string value)
    {
        Environment[name] = value;
        return this;
    }

    public ExecutableResource WithEndpoint(string name, Uri url, string description)
    {
        Endpoints.Add(new ResourceEndpoint(name, url, description));
        return this;
    }

    /// <summary>
    /// Aspire's WithReference: gives this resource the addresses of <paramref name="target"/>'s endpoints as
    /// <c>services__{target}__{endpoint}__0</c>, which ServiceEndpoints.Resolve reads.
    /// </summary>
    public ExecutableResource WithReference(ExecutableResource target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var endpoint in target.Endpoints)
        {
            Environment[$"services__{target.Name}__{endpoint.Name}__0"] = endpoint.Url.GetLeftPart(UriPartial.Authority);
        }

        return this;
    }

    public ProcessStartInfo CreateStartInfo()
    {
        var startInfo = new ProcessStartInfo(Command)
        {
            WorkingDirectory = WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var argument in Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in s_removedVariables)
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in Environment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }
}
