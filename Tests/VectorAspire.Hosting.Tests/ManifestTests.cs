using System.Text.Json.Nodes;

namespace VectorAspire.Hosting.Tests;

/// <summary>`--publisher manifest` writes Aspire's manifest (what azd and aspirate consume) for the topology.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _outputDirectory = Directory.CreateTempSubdirectory("vectoraspire-manifest-").FullName;

    [Fact]
    public async Task Standalone_manifest_declares_the_project_with_its_binding_and_environment_and_matches_deploy()
    {
        var path = Path.Combine(_outputDirectory, "aspire-manifest.json");
        var (exitCode, output) = await AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", path);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var resources = manifest["resources"]!.AsObject();
        var standalone = Assert.Single(resources);
        Assert.Equal("standalone", standalone.Key);
        var resource = standalone.Value!;
        Assert.Equal("project.v0", (string?)resource["type"]);
        var projectPath = Path.GetFullPath(Path.Combine(_outputDirectory, (string)resource["path"]!));
        Assert.Equal(Path.Combine(AppHostCommand.RepositoryRoot(), "Standalone", "VectorAspire.Standalone.csproj"), projectPath);

        var http = resource["bindings"]!["http"]!;
        Assert.Equal("http", (string?)http["scheme"]);
        Assert.Equal("tcp", (string?)http["protocol"]);
        Assert.Equal(19530, (int)http["targetPort"]!);

        var env = resource["env"]!;
        Assert.Equal("{standalone.bindings.http.targetPort}", (string?)env["VectorAspire__Port"]);
        Assert.Equal("/var/lib/vectoraspire", (string?)env["VectorAspire__DataPath"]);
        Assert.Null(env["ASPNETCORE_URLS"]);

        // The committed manifest is this output (its project path is relative to deploy/).
        var committedPath = Path.Combine(AppHostCommand.RepositoryRoot(), "deploy", "aspire-manifest.json");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(committedPath))!;
        Assert.Equal("../Standalone/VectorAspire.Standalone.csproj", (string?)committed["resources"]!["standalone"]!["path"]);
        committed["resources"]!["standalone"]!["path"] = resource["path"]!.DeepClone();
        Assert.True(
            JsonNode.DeepEquals(manifest, committed),
            $"deploy/aspire-manifest.json is stale; regenerate it with " +
            $"`dotnet run --project AppHost -- --publisher manifest --output-path ../deploy/aspire-manifest.json`. Now:\n{manifest}");
    }

    [Fact]
    public async Task Cluster_topology_refuses_to_start_and_says_it_needs_the_role_programs()
    {
        var (exitCode, output) = await AppHostCommand.RunAsync("--topology", "cluster");

        Assert.Equal(2, exitCode);
        Assert.Contains("error: the cluster topology needs the role programs", output, StringComparison.Ordinal);
        Assert.Contains("--topology standalone", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--topology", "mesh", "unknown topology 'mesh'")]
    [InlineData("--port", "0", "--port (VectorAspire:Port) must be a number from 1 to 65535; got '0'")]
    public async Task Invalid_settings_exit_with_code_2_and_say_what_is_wrong(string option, string value, string expected)
    {
        var (exitCode, output) = await AppHostCommand.RunAsync(option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outputDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
