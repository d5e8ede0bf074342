using System.Text.Json.Nodes;

namespace VectorAspire.Hosting.Tests;

/// <summary>`--publisher manifest` writes Aspire's manifest (what azd and aspirate consume) for the topology.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly string _outputDirectory = Directory.CreateTempSubdirectory("vectoraspire-manifest-").FullName;

    [Fact]
    public void Azd_project_file_points_at_the_AppHost_and_deploys_to_container_apps()
    {
        string root = AppHostCommand.RepositoryRoot();
        var lines = File.ReadAllLines(Path.Combine(root, "azure.yaml")).Select(static l => l.Trim()).Where(static l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains("name: vectoraspire", lines);
        Assert.Contains("language: dotnet", lines);
        Assert.Contains("host: containerapp", lines);
        string project = lines.Single(static l => l.StartsWith("project:", StringComparison.Ordinal))["project:".Length..].Trim();
        string path = Path.GetFullPath(Path.Combine(root, project));
        Assert.Equal(Path.Combine(root, "AppHost", "VectorAspire.AppHost.csproj"), path);
        Assert.Contains("Aspire.AppHost.Sdk", File.ReadAllText(path), StringComparison.Ordinal);
    }

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

        AssertMatchesCommitted(manifest, "aspire-manifest.json", "--");
    }

    [Fact]
    public async Task Cluster_manifest_declares_etcd_minio_and_rabbitmq_containers_and_a_project_per_role_instance_and_matches_deploy()
    {
        var path = Path.Combine(_outputDirectory, "aspire-manifest.cluster.json");
        var (exitCode, output) = await AppHostCommand.RunAsync("--topology", "cluster", "--publisher", "manifest", "--output-path", path);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
        Assert.Contains("run as containers", output, StringComparison.Ordinal);

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var resources = manifest["resources"]!.AsObject();
        Assert.Equal("container.v0", (string?)resources["etcd"]!["type"]);
        Assert.StartsWith("quay.io/coreos/etcd:", (string?)resources["etcd"]!["image"], StringComparison.Ordinal);
        Assert.Equal("container.v0", (string?)resources["s3"]!["type"]);
        Assert.StartsWith("minio/minio:", (string?)resources["s3"]!["image"], StringComparison.Ordinal);
        Assert.Equal("parameter.v0", (string?)resources["s3-secret-key"]!["type"]);
        Assert.Equal("container.v0", (string?)resources["rabbitmq"]!["type"]);
        Assert.Equal("library/rabbitmq:3", (string?)resources["rabbitmq"]!["image"]);
        Assert.Equal("-rabbit consumer_timeout 86400000", (string?)resources["rabbitmq"]!["env"]!["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]);
        Assert.StartsWith("amqp://guest:{rabbitmq-password-uri-encoded.value}@{rabbitmq.bindings.tcp.host}:{rabbitmq.bindings.tcp.port}",
            (string?)resources["rabbitmq"]!["connectionString"], StringComparison.Ordinal);
        Assert.Equal(5672, (int)resources["rabbitmq"]!["bindings"]!["tcp"]!["targetPort"]!);
        Assert.Equal("parameter.v0", (string?)resources["rabbitmq-password"]!["type"]);

        var projects = resources.Where(static r => (string?)r.Value!["type"] == "project.v0").ToDictionary(static r => r.Key, static r => r.Value!);
        string[] expected = ["coordinator-0", "coordinator-1", "datanode-0", "querynode-0", "querynode-1", "streamingnode-0", "streamingnode-1", "proxy-0", "proxy-1", "gateway"];
        Assert.Equal(expected, projects.Keys);
        foreach (var (name, project) in projects)
        {
            var env = project["env"]!;
            Assert.Equal($"{{{name}.bindings.http.targetPort}}", (string?)env["VectorAspire__Port"]);
            Assert.Equal("0.0.0.0", (string?)env["VectorAspire__Host"]);
            if (name == "gateway")
            {
                Assert.Equal(19530, (int)project["bindings"]!["http"]!["targetPort"]!);
                Assert.Equal("http://proxy-1", (string?)env["VectorAspire__Gateway__Destinations__proxy-1"]);
                Assert.Equal("{proxy-1.bindings.http.url}", (string?)env["services__proxy-1__http__0"]);
                continue;
            }

            Assert.Equal("{etcd.bindings.client.url}", (string?)env["ConnectionStrings__etcd"]);
            Assert.StartsWith("Endpoint={s3.bindings.http.url};Bucket=vectoraspire;AccessKey={s3-access-key.value};SecretKey={s3-secret-key.value}",
                (string?)env["ConnectionStrings__s3"], StringComparison.Ordinal);
            Assert.Equal($"{{{name}.bindings.http.url}}", (string?)env["VectorAspire__Cluster__AdvertiseAddress"]);
            Assert.Equal("{rabbitmq.connectionString}", (string?)env["ConnectionStrings__rabbitmq"]);
        }

        AssertMatchesCommitted(manifest, "aspire-manifest.cluster.json", "-- --topology cluster");
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

    /// <summary>
    /// The committed manifest in deploy/ is this output; its project paths are relative to deploy/ where the fresh
    /// one's are relative to the temp directory it was written to.
    /// </summary>
    private void AssertMatchesCommitted(JsonNode manifest, string fileName, string arguments)
    {
        var deploy = Path.Combine(AppHostCommand.RepositoryRoot(), "deploy");
        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(deploy, fileName)))!;
        foreach (var (name, resource) in manifest["resources"]!.AsObject())
        {
            if (resource!["path"] is not { } path)
                continue;
            var absolute = Path.GetFullPath(Path.Combine(_outputDirectory, (string)path!));
            Assert.Equal(Path.GetRelativePath(deploy, absolute), (string?)committed["resources"]?[name]?["path"]);
            committed["resources"]![name]!["path"] = path.DeepClone();
        }

        Assert.True(
            JsonNode.DeepEquals(manifest, committed),
            $"deploy/{fileName} is stale; regenerate it with " +
            $"`dotnet run --project AppHost {arguments} --publisher manifest --output-path ../deploy/{fileName}`. Now:\n{manifest}");
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
