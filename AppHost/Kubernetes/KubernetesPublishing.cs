using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Configuration;

namespace VectorAspire.AppHost.Kubernetes;

/// <summary>
/// <c>--publisher kubernetes --output-path DIR</c>: the AppHost publishes Aspire's manifest to a temp file (the app
/// model as azd and aspirate see it), then <see cref="KubernetesManifestGenerator"/> writes one YAML file per workload
/// into DIR, replacing the files an earlier run generated there. Images of projects are
/// <c>VectorAspire:Kubernetes:ImagePrefix</c> (<c>vectoraspire/</c>) + workload + <c>:</c> +
/// <c>VectorAspire:Kubernetes:ImageTag</c> (<c>latest</c>).
/// </summary>
public sealed class KubernetesPublishing
{
    public const string PublisherName = "kubernetes";

    /// <summary>The first line of every generated file; a file in DIR that starts with it is replaced.</summary>
    public const string Header = "# Generated from the AppHost's app model (AppHost/Kubernetes); do not edit. Regenerate: see README.md, Deploy.";

    private readonly string _outputDirectory;
    private readonly string _manifestPath;

    private KubernetesPublishing(string outputDirectory, string manifestPath, string[] manifestArguments)
    {
        _outputDirectory = outputDirectory;
        _manifestPath = manifestPath;
        ManifestArguments = manifestArguments;
    }

    /// <summary>The arguments with the Kubernetes publisher replaced by Aspire's manifest publisher.</summary>
    public string[] ManifestArguments { get; }

    /// <summary>Null when the arguments do not ask for the Kubernetes publisher.</summary>
    /// <exception cref="AppHostConfigurationException">It is asked for without an output path.</exception>
    public static KubernetesPublishing? FromArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var arguments = Split(args);
        int publisher = arguments.FindIndex(static a => a == "--publisher");
        if (publisher < 0 || publisher + 1 >= arguments.Count || arguments[publisher + 1] != PublisherName)
            return null;
        int output = arguments.FindIndex(static a => a == "--output-path");
        if (output < 0 || output + 1 >= arguments.Count)
            throw new AppHostConfigurationException("--publisher kubernetes needs --output-path DIR (the directory the YAML files go to).");

        string directory = Path.GetFullPath(arguments[output + 1]);
        string manifest = Path.Combine(Directory.CreateTempSubdirectory("vectoraspire-k8s-").FullName, "aspire-manifest.json");
        arguments[publisher + 1] = "manifest";
        arguments[output + 1] = manifest;
        return new KubernetesPublishing(directory, manifest, [.. arguments]);
    }

    /// <summary>Turns the published manifest into YAML files; returns how many objects it wrote.</summary>
    public int Write(DistributedApplicationModel model, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!File.Exists(_manifestPath))
            throw new InvalidOperationException($"Aspire's manifest publisher wrote no {_manifestPath}; see its output above.");
        var manifest = JsonNode.Parse(File.ReadAllText(_manifestPath))!;
        Directory.Delete(Path.GetDirectoryName(_manifestPath)!, recursive: true);

        var probes = model.Resources
            .Select(static r => (r.Name, Probe: r.Annotations.OfType<ProbeAnnotation>().LastOrDefault()))
            .Where(static r => r.Probe is not null)
            .ToDictionary(static r => r.Name, static r => r.Probe!, StringComparer.Ordinal);
        var section = configuration.GetSection("VectorAspire:Kubernetes");
        var scratch = model.Resources
            .Select(static r => (r.Name, Scratch: r.Annotations.OfType<ScratchDirectoryAnnotation>().LastOrDefault()))
            .Where(static r => r.Scratch is not null)
            .ToDictionary(static r => r.Name, static r => r.Scratch!.Path, StringComparer.Ordinal);
        var generator = new KubernetesManifestGenerator(
            manifest, probes, section["ImagePrefix"] ?? "vectoraspire/", section["ImageTag"] ?? "latest", scratch);
        var files = generator.Generate();

        Directory.CreateDirectory(_outputDirectory);
        foreach (var stale in Directory.EnumerateFiles(_outputDirectory, "*.yaml"))
        {
            if (File.ReadLines(stale).FirstOrDefault() == Header)
                File.Delete(stale);
        }

        int count = 0;
        foreach (var (name, documents) in files)
        {
            var text = new System.Text.StringBuilder(Header).Append('\n');
            foreach (var document in documents)
                text.Append("---\n").Append(KubernetesYaml.Serialize(document).TrimEnd('\n')).Append('\n');
            File.WriteAllText(Path.Combine(_outputDirectory, name), text.ToString());
            count += documents.Count;
        }

        Console.WriteLine($"Kubernetes: wrote {count} objects in {files.Count} files to {_outputDirectory}");
        return count;
    }

    /// <summary><c>--name=value</c> as <c>--name value</c>, so both spellings are found.</summary>
    private static List<string> Split(string[] args)
    {
        var result = new List<string>(args.Length);
        foreach (var arg in args)
        {
            if (arg is ['-', '-', ..] && arg.IndexOf('=', StringComparison.Ordinal) is var equals and > 2
                && arg[..equals] is "--publisher" or "--output-path")
            {
                result.Add(arg[..equals]);
                result.Add(arg[(equals + 1)..]);
            }
            else
            {
                result.Add(arg);
            }
        }

        return result;
    }
}
