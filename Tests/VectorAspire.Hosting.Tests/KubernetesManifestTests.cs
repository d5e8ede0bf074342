using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using VectorAspire.AppHost.Kubernetes;
using Xunit.Abstractions;

namespace VectorAspire.Hosting.Tests;

/// <summary>deploy/k8s: generated from the cluster app model by `--publisher kubernetes`, checked as typed objects.</summary>
public sealed partial class KubernetesManifestTests(ITestOutputHelper output) : IDisposable
{
    private const string Regenerate = "cd AppHost && dotnet run -- --topology cluster --publisher kubernetes --output-path ../deploy/k8s";
    private static readonly Dictionary<string, int> s_replicas = new()
    {
        ["coordinator"] = 2, ["datanode"] = 1, ["querynode"] = 2, ["streamingnode"] = 2, ["proxy"] = 2, ["gateway"] = 1,
    };

    private readonly string _outputDirectory = Directory.CreateTempSubdirectory("vectoraspire-k8s-").FullName;

    private static string Committed => Path.Combine(AppHostCommand.RepositoryRoot(), "deploy", "k8s");

    [Fact]
    public async Task Kubernetes_publisher_regenerates_exactly_the_committed_deploy_k8s_files()
    {
        var (exitCode, text) = await AppHostCommand.RunAsync("--topology", "cluster", "--publisher", "kubernetes", "--output-path", _outputDirectory);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{text}");

        var fresh = Directory.GetFiles(_outputDirectory).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(Directory.GetFiles(Committed).Select(Path.GetFileName).Order().ToList(), fresh);
        foreach (var file in fresh)
        {
            string now = await File.ReadAllTextAsync(Path.Combine(_outputDirectory, file!));
            Assert.True(now == await File.ReadAllTextAsync(Path.Combine(Committed, file!)), $"deploy/k8s/{file} is stale; regenerate with `{Regenerate}`. Now:\n{now}");
        }
    }

    [Fact]
    public async Task Replica_counts_of_the_app_model_become_the_replicas_of_one_Deployment_per_role()
    {
        var (exitCode, text) = await AppHostCommand.RunAsync("--topology", "cluster", "--VectorAspire:Replicas:proxy=3",
            "--VectorAspire:Replicas:querynode=1", "--publisher", "kubernetes", "--output-path", _outputDirectory);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{text}");

        var deployments = Load(_outputDirectory).OfType<V1Deployment>().ToDictionary(static d => d.Metadata.Name, static d => d.Spec.Replicas);
        Assert.Equal(3, deployments["proxy"]);
        Assert.Equal(1, deployments["querynode"]);
        Assert.DoesNotContain(deployments.Keys, static name => Regex.IsMatch(name, @"-\d+$"));
    }

    [Fact]
    public void Every_document_parses_strictly_as_its_typed_object_and_selectors_probes_ports_and_references_agree()
    {
        var objects = Load(Committed);
        var configMaps = objects.OfType<V1ConfigMap>().ToDictionary(static c => c.Metadata.Name);
        var secret = Assert.Single(objects.OfType<V1Secret>());
        var services = objects.OfType<V1Service>().ToDictionary(static s => s.Metadata.Name);
        var deployments = objects.OfType<V1Deployment>().ToDictionary(static d => d.Metadata.Name);
        var statefulSets = objects.OfType<V1StatefulSet>().ToDictionary(static s => s.Metadata.Name);

        Assert.Equal(s_replicas.OrderBy(static r => r.Key), deployments.Select(static d => KeyValuePair.Create(d.Key, d.Value.Spec.Replicas ?? 0)).OrderBy(static r => r.Key));
        Assert.Equal(["etcd", "rabbitmq", "s3"], statefulSets.Keys.Order());
        Assert.Equal(["rabbitmq-password", "s3-access-key", "s3-secret-key"], secret.StringData.Keys.Order());

        var workloads = deployments.Values.Select(static d => (d.Metadata.Name, d.Spec.Selector, d.Spec.Template))
            .Concat(statefulSets.Values.Select(static s => (s.Metadata.Name, s.Spec.Selector, s.Spec.Template))).ToList();
        foreach (var (name, selector, template) in workloads)
        {
            Assert.All(selector.MatchLabels, label => Assert.Equal(label.Value, template.Metadata.Labels[label.Key]));
            var container = Assert.Single(template.Spec.Containers);
            var ports = container.Ports.ToDictionary(static p => p.Name, static p => p.ContainerPort);
            Assert.NotNull(container.ReadinessProbe);
            Assert.NotNull(container.LivenessProbe);
            foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe })
                Assert.Contains((probe.HttpGet?.Port ?? probe.TcpSocket.Port).Value, ports.Keys);
            AssertReferencesResolve(name, container, configMaps, secret);

            var service = services[name];
            Assert.All(service.Spec.Selector, label => Assert.Equal(label.Value, template.Metadata.Labels[label.Key]));
            Assert.All(service.Spec.Ports, port => Assert.Equal(port.Port, ports[port.TargetPort.Value]));
        }

        foreach (var (name, deployment) in deployments)
        {
            var container = deployment.Spec.Template.Spec.Containers[0];
            Assert.Equal(19530, Assert.Single(container.Ports).ContainerPort);
            Assert.Equal(("/health", "http"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
            Assert.Equal(("/alive", "http"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
            Assert.Equal($"vectoraspire/{name}:latest", container.Image);
            var settings = configMaps[Assert.Single(container.EnvFrom).ConfigMapRef.Name].Data;
            Assert.Equal("19530", settings["VectorAspire__Port"]);
            if (name == "gateway")
            {
                Assert.Equal("http://proxy:19530", settings["services__proxy__http__0"]);
                Assert.Equal("http://proxy", settings["VectorAspire__Gateway__Destinations__proxy"]);
                continue;
            }

            Assert.Equal("http://etcd:2379", settings["ConnectionStrings__etcd"]);
            var env = container.Env.ToDictionary(static e => e.Name);
            Assert.Equal("$(POD_NAME)", env["VectorAspire__Cluster__NodeId"].Value);
            Assert.Equal("http://$(POD_IP):19530", env["VectorAspire__Cluster__AdvertiseAddress"].Value);
            Assert.Equal("amqp://guest:$(VA_PARAMETER_RABBITMQ_PASSWORD)@rabbitmq:5672", env["ConnectionStrings__rabbitmq"].Value);
            Assert.StartsWith("Endpoint=http://s3:9000;Bucket=vectoraspire;AccessKey=$(VA_PARAMETER_S3_ACCESS_KEY);SecretKey=$(VA_PARAMETER_S3_SECRET_KEY);",
                env["ConnectionStrings__s3"].Value, StringComparison.Ordinal);
            Assert.Equal("rabbitmq-password", env["VA_PARAMETER_RABBITMQ_PASSWORD"].ValueFrom.SecretKeyRef.Key);
            // The non-root user of a published .NET image can write its local files only to a mounted volume.
            var scratch = Assert.Single(deployment.Spec.Template.Spec.Volumes);
            Assert.NotNull(scratch.EmptyDir);
            var mount = Assert.Single(container.VolumeMounts);
            Assert.Equal((scratch.Name, settings["VectorAspire__DataPath"]), (mount.Name, mount.MountPath));
        }

        var gateway = services["gateway"];
        Assert.Equal("LoadBalancer", gateway.Spec.Type);
        Assert.Equal(19530, Assert.Single(gateway.Spec.Ports).Port);
        Assert.All(services.Values.Where(static s => s.Metadata.Name != "gateway"), static s => Assert.Equal("ClusterIP", s.Spec.Type));

        foreach (var (name, statefulSet) in statefulSets)
        {
            Assert.Equal(1, statefulSet.Spec.Replicas);
            Assert.Contains(statefulSet.Spec.ServiceName, services.Keys);
            var claims = statefulSet.Spec.VolumeClaimTemplates.Select(static c => c.Metadata.Name).ToList();
            Assert.NotEmpty(claims);
            Assert.Equal(claims, statefulSet.Spec.Template.Spec.Containers[0].VolumeMounts.Select(static m => m.Name));
            Assert.All(statefulSet.Spec.VolumeClaimTemplates, static c => Assert.Equal("10Gi", c.Spec.Resources.Requests["storage"].ToString()));
        }

        Assert.Equal("/etcd-data", statefulSets["etcd"].Spec.Template.Spec.Containers[0].VolumeMounts[0].MountPath);
        Assert.Equal("/var/lib/rabbitmq", statefulSets["rabbitmq"].Spec.Template.Spec.Containers[0].VolumeMounts[0].MountPath);
        Assert.Equal("library/rabbitmq:3", statefulSets["rabbitmq"].Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(5672, statefulSets["rabbitmq"].Spec.Template.Spec.Containers[0].Ports[0].ContainerPort);
        Assert.Equal("rabbitmq-password", statefulSets["rabbitmq"].Spec.Template.Spec.Containers[0].Env
            .Single(static e => e.Name == "RABBITMQ_DEFAULT_PASS").ValueFrom.SecretKeyRef.Key);
    }

    /// <summary>
    /// kubectl on this machine cannot run `apply --dry-run=client` without an API server (it asks the server which
    /// kinds exist); `label --local` parses and maps every document offline, so that is what runs here.
    /// </summary>
    [Fact]
    public async Task Kubectl_reads_every_generated_document_offline()
    {
        if (!File.Exists("/usr/bin/kubectl") && !ExecutableOnPath("kubectl"))
        {
            output.WriteLine("SKIPPED: kubectl is not installed; the generated documents were not given to kubectl.");
            Console.WriteLine("SKIPPED: kubectl is not installed; the generated documents were not given to kubectl.");
            return;
        }

        var expected = Load(Committed).Select(static o => $"{Resource(o.Kind, o.ApiVersion)}/{o.Metadata.Name}").Order().ToList();

        // Asking a server that is not there must fail only at discovery, after kubectl has read every file.
        string kubeconfig = Path.Combine(_outputDirectory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: none, user: {token: none}}]
            contexts: [{name: none, context: {cluster: none, user: none}}]
            current-context: none
            """);
        var (applyCode, applyOutput) = await KubectlAsync("--kubeconfig", kubeconfig, "apply", "--dry-run=client", "--validate=false", "-o", "name", "-f", Committed);
        output.WriteLine($"kubectl apply --dry-run=client --validate=false (no API server) exited {applyCode}:\n{applyOutput}");
        if (applyCode == 0)
            Assert.Equal(expected, applyOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        else
            Assert.Contains("unable to recognize", applyOutput, StringComparison.Ordinal);

        var (code, text) = await KubectlAsync("label", "--local", "--dry-run=client", "-o", "name", "-f", Committed, "vectoraspire.io/checked=offline");
        Assert.True(code == 0, $"kubectl label --local exited {code}:\n{text}");
        Assert.Equal(expected, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public void Generator_refuses_instances_of_a_role_that_differ_beyond_their_own_name_and_address()
    {
        var manifest = JsonNode.Parse("""
            {"resources": {
              "worker-0": {"type": "project.v0", "path": "w.csproj", "env": {"ID": "worker-0", "MODE": "a"}, "bindings": {"http": {"scheme": "http", "targetPort": 80}}},
              "worker-1": {"type": "project.v0", "path": "w.csproj", "env": {"ID": "worker-1", "MODE": "b"}, "bindings": {"http": {"scheme": "http", "targetPort": 80}}}
            }}
            """)!;
        var probes = new Dictionary<string, ProbeAnnotation> { ["worker-0"] = new("http", "/health", "/alive"), ["worker-1"] = new("http", "/health", "/alive") };

        var error = Assert.Throws<NotSupportedException>(() => new KubernetesManifestGenerator(manifest, probes, "p/", "t").Generate());
        Assert.Contains("'worker-0' and 'worker-1' differ", error.Message, StringComparison.Ordinal);

        manifest["resources"]!["worker-1"]!["env"]!["MODE"] = "a";
        var deployment = new KubernetesManifestGenerator(manifest, probes, "p/", "t").Generate()["worker.yaml"].OfType<V1Deployment>().Single();
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("$(POD_NAME)", deployment.Spec.Template.Spec.Containers[0].Env.Single(static e => e.Name == "ID").Value);
    }

    [Fact]
    public void Generator_refuses_a_workload_without_probes()
    {
        var manifest = JsonNode.Parse("""{"resources": {"cache": {"type": "container.v0", "image": "redis:7", "bindings": {"tcp": {"scheme": "tcp", "targetPort": 6379}}}}}""")!;

        var error = Assert.Throws<NotSupportedException>(() => new KubernetesManifestGenerator(manifest, new Dictionary<string, ProbeAnnotation>(), "p/", "t").Generate());
        Assert.Contains("'cache' declares no probes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every `$(NAME)` in an env value or argument names a variable the container defines before it.</summary>
    private static void AssertReferencesResolve(string workload, V1Container container, Dictionary<string, V1ConfigMap> configMaps, V1Secret secret)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
            defined.UnionWith(Assert.Contains(source.ConfigMapRef.Name, configMaps).Data.Keys);
        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom?.SecretKeyRef is { } key)
            {
                Assert.Equal(KubernetesManifestGenerator.ParametersSecretName, key.Name);
                Assert.Contains(key.Key, secret.StringData.Keys);
            }

            foreach (Match reference in Reference().Matches(variable.Value ?? ""))
                Assert.True(defined.Contains(reference.Groups[1].Value), $"{workload}: {variable.Name} uses $({reference.Groups[1].Value}) before it is defined");
            defined.Add(variable.Name);
        }

        foreach (var argument in container.Args ?? [])
        {
            foreach (Match reference in Reference().Matches(argument))
                Assert.True(defined.Contains(reference.Groups[1].Value), $"{workload}: argument {argument} uses an undefined $({reference.Groups[1].Value})");
        }
    }

    [GeneratedRegex(@"\$\(([A-Za-z0-9_]+)\)")]
    private static partial Regex Reference();

    /// <summary>Every document of every YAML file, strictly (an unknown field fails), as its typed model.</summary>
    private static List<IKubernetesObject<V1ObjectMeta>> Load(string directory)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var file in Directory.GetFiles(directory, "*.yaml").Order())
        {
            string text = File.ReadAllText(file);
            Assert.StartsWith(KubernetesPublishing.Header + "\n", text, StringComparison.Ordinal);
            foreach (var document in KubernetesYaml.LoadAllFromString(text, strict: true))
            {
                var typed = Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(document);
                Assert.Contains(typed.GetType(), new[] { typeof(V1ConfigMap), typeof(V1Deployment), typeof(V1StatefulSet), typeof(V1Service), typeof(V1Secret) });
                Assert.Equal(KubernetesManifestGenerator.PartOf, typed.Metadata.Labels[KubernetesManifestGenerator.PartOfLabel]);
                objects.Add(typed);
            }
        }

        Assert.NotEmpty(objects);
        return objects;
    }

    /// <summary>How `kubectl -o name` names an object of this kind.</summary>
    private static string Resource(string kind, string apiVersion) =>
        apiVersion.Contains('/') ? $"{kind.ToLowerInvariant()}.{apiVersion[..apiVersion.IndexOf('/')]}" : kind.ToLowerInvariant();

    private static async Task<(int ExitCode, string Output)> KubectlAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestTimeout.Token(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, name)));

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
