using VectorAspire.AppHost.Resources;

namespace VectorAspire.Hosting.Tests;

/// <summary>Changes the process environment, so it must not run beside tests that start hosts or processes.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class ChildEnvironmentTests
{
    [Fact]
    public void Child_environment_drops_inherited_url_settings_that_would_override_the_port()
    {
        var resource = new ExecutableResource("probe", "dotnet", "/");
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://*:5000");
        try
        {
            var startInfo = resource.CreateStartInfo();
            Assert.False(startInfo.Environment.ContainsKey("ASPNETCORE_URLS"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_URLS", null);
        }
    }
}
