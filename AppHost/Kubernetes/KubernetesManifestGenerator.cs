using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace VectorAspire.AppHost.Kubernetes;

/// <summary>
/// Kubernetes objects for the app model, read from its Aspire manifest (what azd and aspirate consume) plus the
/// <see cref="ProbeAnnotation"/>s the manifest does not carry. A project becomes a Deployment; the instances of one
/// role (<c>proxy-0</c> … <c>proxy-N</c>: same project, names differing only in the index) become one Deployment with N
/// replicas, which needs their environments to be the same up to the pod's own name and address. A container becomes
/// a StatefulSet with a volumeClaimTemplate per volume. Each workload gets a Service on its bindings (LoadBalancer when
/// a binding is external), settings in a ConfigMap, and parameters through one Secret of placeholders.
/// </summary>
public sealed partial class KubernetesManifestGenerator
{
    public const string ParametersSecretName = "vectoraspire-parameters";

    /// <summary>What the Secret holds until the operator sets the real values (see README.md).</summary>
    public const string ParameterPlaceholder = "change-me";

    public const string VolumeSize = "10Gi";
    public const string ScratchVolume = "scratch";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string PartOfLabel = "app.kubernetes.io/part-of";
    public const string PartOf = "vectoraspire";

    private readonly JsonObject _resources;
    private readonly IReadOnlyDictionary<string, ProbeAnnotation> _probes;
    private readonly IReadOnlyDictionary<string, string> _scratchDirectories;
    private readonly string _imagePrefix;
    private readonly string _imageTag;
    private readonly Dictionary<string, List<string>> _workloads = new(StringComparer.Ordinal);
    private readonly ManifestExpressions _expressions;

    [GeneratedRegex(@"^(?<role>[a-z][a-z0-9-]*?)-(?<index>\d+)$")]
    private static partial Regex InstanceName();

    /// <param name="manifest">Aspire's manifest (<c>--publisher manifest</c>).</param>
    /// <param name="probes">Each resource's probes, by resource name.</param>
    /// <param name="imagePrefix">A project's image is <c>{prefix}{workload}:{tag}</c>.</param>
    /// <param name="scratchDirectories">Where a resource's pods get an emptyDir, by resource name.</param>
    public KubernetesManifestGenerator(
        JsonNode manifest, IReadOnlyDictionary<string, ProbeAnnotation> probes, string imagePrefix, string imageTag,
        IReadOnlyDictionary<string, string>? scratchDirectories = null)
    {
        _scratchDirectories = scratchDirectories ?? new Dictionary<string, string>();
        ArgumentNullException.ThrowIfNull(manifest);
        _resources = manifest["resources"]?.AsObject() ?? throw new ArgumentException("the manifest has no resources", nameof(manifest));
        _probes = probes;
        _imagePrefix = imagePrefix;
        _imageTag = imageTag;

        var workloadOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, resource) in _resources)
        {
            string type = Type(resource!);
            if (type is not ("project.v0" or "container.v0"))
                continue;
            string workload = type == "project.v0" && InstanceName().Match(name) is { Success: true } m && IsRoleInstance(m.Groups["role"].Value, resource!)
                ? m.Groups["role"].Value
                : name;
            workloadOf[name] = workload;
            if (!_workloads.TryGetValue(workload, out var instances))
                _workloads[workload] = instances = [];
            instances.Add(name);
        }

        foreach (var (workload, _) in _workloads)
        {
            if (_resources.ContainsKey(workload) && workloadOf.GetValueOrDefault(workload) != workload)
                throw new NotSupportedException($"role '{workload}' would share its name with resource '{workload}'");
        }

        _expressions = new ManifestExpressions(_resources, workloadOf);
    }

    /// <summary>Every object, grouped by the file it goes to (one per workload, one for the Secret).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IKubernetesObject>> Generate()
    {
        var files = new SortedDictionary<string, IReadOnlyList<IKubernetesObject>>(StringComparer.Ordinal);
        var parameters = new List<string>();
        foreach (var (name, resource) in _resources)
        {
            switch (Type(resource!))
            {
                case "parameter.v0":
                    parameters.Add(name);
                    break;
                case "project.v0" or "container.v0" or "annotated.string":
                    break;
                case var type:
                    throw new NotSupportedException($"resource '{name}' is a {type}, which the Kubernetes generator does not translate");
            }
        }

        foreach (var (workload, instances) in _workloads)
            files[$"{workload}.yaml"] = Workload(workload, instances, parameters);

        if (parameters.Count > 0)
        {
            files[$"{ParametersSecretName}.yaml"] =
            [
                new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Metadata = Metadata(ParametersSecretName),
                    Type = "Opaque",
                    StringData = parameters.ToDictionary(static p => p, static _ => ParameterPlaceholder, StringComparer.Ordinal),
                },
            ];
        }

        return files;
    }

    /// <summary>A role's instances: same project, and the role's name is no other resource's.</summary>
    private bool IsRoleInstance(string role, JsonNode resource) =>
        !_resources.ContainsKey(role) &&
        _resources.Where(r => InstanceName().Match(r.Key) is { Success: true } m && m.Groups["role"].Value == role)
            .All(r => Type(r.Value!) == "project.v0" && (string?)r.Value!["path"] == (string?)resource["path"]);

    private List<IKubernetesObject> Workload(string workload, List<string> instances, List<string> parameters)
    {
        string first = instances[0];
        var resource = _resources[first]!;
        bool project = Type(resource) == "project.v0";

        var (environment, arguments) = Environment(instances);
        var objects = new List<IKubernetesObject>();
        var container = new V1Container
        {
            Name = workload,
            Image = project ? $"{_imagePrefix}{workload}:{_imageTag}" : (string?)resource["image"],
            Command = (string?)resource["entrypoint"] is { } entrypoint ? [entrypoint] : null,
            Args = arguments.Count > 0 ? arguments : null,
            Ports = Bindings(resource).Select(static b => new V1ContainerPort { ContainerPort = b.Port, Name = b.Name, Protocol = "TCP" }).ToList(),
            ReadinessProbe = Probe(first, readiness: true),
            LivenessProbe = Probe(first, readiness: false),
        };

        var plain = environment.Where(static e => !e.Value.Contains("$(", StringComparison.Ordinal)).ToList();
        if (plain.Count > 0)
        {
            string configMap = $"{workload}-env";
            objects.Add(new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = Metadata(configMap, workload),
                Data = plain.ToDictionary(static e => e.Key, static e => e.Value, StringComparer.Ordinal),
            });
            container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = configMap } }];
        }

        var expanded = environment.Where(static e => e.Value.Contains("$(", StringComparison.Ordinal)).ToList();
        container.Env = PodVariables(expanded.Select(static e => e.Value).Concat(arguments), parameters, expanded);
        if (container.Env.Count == 0)
            container.Env = null;

        var volumes = (resource["volumes"]?.AsArray() ?? []).Select(static v => ((string)v!["name"]!, (string)v!["target"]!)).ToList();
        if (resource["bindMounts"] is JsonArray { Count: > 0 })
            throw new NotSupportedException($"resource '{first}' has bind mounts, which a cluster cannot provide");
        container.VolumeMounts = volumes.Count > 0 ? volumes.Select(static v => new V1VolumeMount { MountPath = v.Item2, Name = v.Item1 }).ToList() : null;

        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = Labels(workload) },
            Spec = new V1PodSpec { Containers = [container] },
        };
        if (_scratchDirectories.TryGetValue(first, out var scratch))
        {
            template.Spec.Volumes = [new V1Volume { Name = ScratchVolume, EmptyDir = new V1EmptyDirVolumeSource() }];
            container.VolumeMounts = [.. container.VolumeMounts ?? [], new V1VolumeMount { MountPath = scratch, Name = ScratchVolume }];
        }
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NameLabel] = workload } };
        if (project)
        {
            if (volumes.Count > 0)
                throw new NotSupportedException($"project '{first}' has volumes; only containers become StatefulSets");
            objects.Add(new V1Deployment
            {
                ApiVersion = "apps/v1",
                Kind = "Deployment",
                Metadata = Metadata(workload),
                Spec = new V1DeploymentSpec { Replicas = instances.Count, Selector = selector, Template = template },
            });
        }
        else
        {
            objects.Add(new V1StatefulSet
            {
                ApiVersion = "apps/v1",
                Kind = "StatefulSet",
                Metadata = Metadata(workload),
                Spec = new V1StatefulSetSpec
                {
                    Replicas = 1,
                    ServiceName = workload,
                    Selector = selector,
                    Template = template,
                    VolumeClaimTemplates = volumes.Select(static v => new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = v.Item1 },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(VolumeSize) } },
                        },
                    }).ToList(),
                },
            });
        }

        var bindings = Bindings(resource);
        if (bindings.Count > 0)
        {
            objects.Add(new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = Metadata(workload),
                Spec = new V1ServiceSpec
                {
                    Type = bindings.Any(static b => b.External) ? "LoadBalancer" : "ClusterIP",
                    Selector = new Dictionary<string, string> { [NameLabel] = workload },
                    Ports = bindings.Select(static b => new V1ServicePort { Port = b.Port, Name = b.Name, Protocol = "TCP", TargetPort = b.Name }).ToList(),
                },
            });
        }

        return objects;
    }

    /// <summary>
    /// The workload's env and args, resolved per instance; every instance must come out the same, since one
    /// Deployment's pods share one template.
    /// </summary>
    private (List<KeyValuePair<string, string>> Environment, List<string> Arguments) Environment(List<string> instances)
    {
        (List<KeyValuePair<string, string>>, List<string>)? result = null;
        foreach (var instance in instances)
        {
            var resource = _resources[instance]!;
            var environment = new List<KeyValuePair<string, string>>();
            foreach (var (key, value) in resource["env"]?.AsObject() ?? [])
            {
                string name = _expressions.RenameKey(key);
                string resolved = _expressions.Resolve((string)value!, instance);
                int existing = environment.FindIndex(e => e.Key == name);
                if (existing < 0)
                    environment.Add(new(name, resolved));
                else if (environment[existing].Value != resolved)
                    throw new NotSupportedException($"'{instance}': {key} becomes {name}, which is already set to something else");
            }

            var arguments = (resource["args"]?.AsArray() ?? []).Select(a => _expressions.Resolve((string)a!, instance)).ToList();
            if (result is var (firstEnvironment, firstArguments))
            {
                if (!firstEnvironment.SequenceEqual(environment) || !firstArguments.SequenceEqual(arguments))
                {
                    throw new NotSupportedException(
                        $"the instances of '{instances[0]}' and '{instance}' differ beyond their own name and address, so they cannot be replicas of one Deployment");
                }
            }
            else
            {
                result = (environment, arguments);
            }
        }

        return result!.Value;
    }

    /// <summary>
    /// The variables that <c>$(…)</c> references read (the pod's name and IP, parameters from the Secret), defined
    /// before the values that reference them, then those values; a value that is one parameter reads the Secret itself.
    /// </summary>
    private static List<V1EnvVar> PodVariables(IEnumerable<string> referencing, List<string> parameters, List<KeyValuePair<string, string>> expanded)
    {
        var variables = new List<V1EnvVar>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in referencing)
        {
            foreach (Match match in Regex.Matches(value, @"\$\((?<name>[A-Z0-9_]+)\)"))
                used.Add(match.Groups["name"].Value);
        }

        bool Direct(string variable) => expanded.Any(e => e.Value == $"$({variable})") &&
            !expanded.Any(e => e.Value != $"$({variable})" && e.Value.Contains($"$({variable})", StringComparison.Ordinal));

        if (used.Contains(ManifestExpressions.PodNameVariable))
            variables.Add(new V1EnvVar { Name = ManifestExpressions.PodNameVariable, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } });
        if (used.Contains(ManifestExpressions.PodIpVariable))
            variables.Add(new V1EnvVar { Name = ManifestExpressions.PodIpVariable, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } });
        foreach (var parameter in parameters)
        {
            string variable = ManifestExpressions.ParameterVariable(parameter);
            if (used.Contains(variable) && !Direct(variable))
                variables.Add(new V1EnvVar { Name = variable, ValueFrom = SecretKey(parameter) });
        }

        foreach (var (name, value) in expanded)
        {
            if (Regex.Match(value, @"^\$\((?<name>[A-Z0-9_]+)\)$") is { Success: true } single
                && ManifestExpressions.ParameterOf(single.Groups["name"].Value, parameters) is { } parameter
                && Direct(single.Groups["name"].Value))
            {
                variables.Add(new V1EnvVar { Name = name, ValueFrom = SecretKey(parameter) });
            }
            else
            {
                variables.Add(new V1EnvVar { Name = name, Value = value });
            }
        }

        return variables;
    }

    private static V1EnvVarSource SecretKey(string parameter) =>
        new() { SecretKeyRef = new V1SecretKeySelector { Key = parameter, Name = ParametersSecretName } };

    private V1Probe Probe(string resource, bool readiness)
    {
        var probe = _probes.GetValueOrDefault(resource)
            ?? throw new NotSupportedException($"resource '{resource}' declares no probes (WithProbes), so its pods could not be checked");
        string? path = readiness ? probe.ReadinessPath : probe.LivenessPath;
        var result = path is null
            ? new V1Probe { TcpSocket = new V1TCPSocketAction { Port = probe.EndpointName } }
            : new V1Probe { HttpGet = new V1HTTPGetAction { Port = probe.EndpointName, Path = path } };
        // Readiness gates traffic quickly; liveness restarts only after a minute of failures (a broker's boot is slow).
        result.PeriodSeconds = readiness ? 5 : 10;
        result.FailureThreshold = readiness ? 3 : 6;
        return result;
    }

    private static List<(string Name, int Port, bool External)> Bindings(JsonNode resource) =>
        (resource["bindings"]?.AsObject() ?? [])
            .Select(static b => (b.Key, (int?)b.Value!["targetPort"] ?? throw new NotSupportedException($"binding '{b.Key}' has no target port"),
                (bool?)b.Value!["external"] ?? false))
            .ToList();

    private static V1ObjectMeta Metadata(string name, string? workload = null) => new() { Name = name, Labels = Labels(workload ?? name) };

    private static Dictionary<string, string> Labels(string workload) =>
        new(StringComparer.Ordinal) { [NameLabel] = workload, [PartOfLabel] = PartOf };

    private static string Type(JsonNode resource) => (string?)resource["type"] ?? "";
}
