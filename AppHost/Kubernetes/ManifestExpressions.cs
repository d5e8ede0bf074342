using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VectorAspire.AppHost.Kubernetes;

/// <summary>
/// Turns the expressions of Aspire's manifest (<c>{etcd.bindings.client.url}</c>, <c>{rabbitmq.connectionString}</c>,
/// <c>{s3-secret-key.value}</c>) into what a pod sees: a Service's DNS name and port for another workload, the pod's
/// own IP and name for a replica itself (<c>$(POD_IP)</c>, <c>$(POD_NAME)</c>), and <c>$(VA_PARAMETER_…)</c> for a parameter,
/// an environment variable the pod takes from the parameters Secret. Kubernetes expands <c>$(NAME)</c> in env values
/// and args from variables defined before them, so a secret never lands in a ConfigMap.
/// Instances of one role (<c>proxy-0</c>, <c>proxy-1</c>) become one workload (<c>proxy</c>): references to an instance
/// from elsewhere become references to the role's Service, in values and in variable names.
/// </summary>
internal sealed partial class ManifestExpressions(JsonObject resources, IReadOnlyDictionary<string, string> workloadOf)
{
    public const string PodNameVariable = "POD_NAME";
    public const string PodIpVariable = "POD_IP";
    private const string ParameterVariablePrefix = "VA_PARAMETER_";

    [GeneratedRegex(@"\{(?<resource>[^.{}]+)\.(?<path>[^{}]+)\}")]
    private static partial Regex Expression();

    /// <summary>The env variable a pod reads parameter <paramref name="parameter"/> into.</summary>
    public static string ParameterVariable(string parameter) => ParameterVariablePrefix + EnvironmentName(parameter);

    /// <summary>The parameter a <see cref="ParameterVariable"/> name stands for, or null.</summary>
    public static string? ParameterOf(string variable, IEnumerable<string> parameters) =>
        variable.StartsWith(ParameterVariablePrefix, StringComparison.Ordinal)
            ? parameters.FirstOrDefault(p => ParameterVariable(p) == variable)
            : null;

    /// <summary><paramref name="value"/> as the pod of <paramref name="self"/> (an instance or a single resource) sees it.</summary>
    public string Resolve(string value, string self)
    {
        var result = new StringBuilder();
        int at = 0;
        foreach (Match match in Expression().Matches(value))
        {
            result.Append(RenameLiteral(value[at..match.Index], self));
            result.Append(ResolveExpression(match.Groups["resource"].Value, match.Groups["path"].Value, self));
            at = match.Index + match.Length;
        }

        result.Append(RenameLiteral(value[at..], self));
        return result.ToString();
    }

    /// <summary>An env variable name or other key with instance names replaced by their workload's.</summary>
    public string RenameKey(string key)
    {
        foreach (var (instance, workload) in workloadOf)
        {
            if (instance == workload)
                continue;
            key = Regex.Replace(key, $"(?<![A-Za-z0-9-]){Regex.Escape(instance)}(?![A-Za-z0-9-])", workload);
            key = Regex.Replace(key, $"(?<![A-Za-z0-9]){Regex.Escape(EnvironmentName(instance))}(?![A-Za-z0-9])", EnvironmentName(workload));
        }

        return key;
    }

    private string RenameLiteral(string literal, string self)
    {
        if (literal.Length == 0)
            return literal;
        if (literal == self && workloadOf[self] != self)
            return $"$({PodNameVariable})";
        return RenameKey(literal);
    }

    private string ResolveExpression(string resource, string path, string self)
    {
        var node = resources[resource] ?? throw Unsupported(resource, path, "names no resource");
        string type = (string?)node["type"] ?? "";
        var parts = path.Split('.');
        switch (parts)
        {
            case ["connectionString"]:
                return Resolve((string?)node["connectionString"] ?? throw Unsupported(resource, path, "has no connection string"), self);
            case ["value"] when type == "parameter.v0":
                return $"$({ParameterVariable(resource)})";
            case ["value"] when type == "annotated.string":
                // The uri filter: generated passwords have no special characters, and a chosen one must be URI-safe.
                return Resolve((string?)node["value"] ?? "", self);
            case ["bindings", var name, var property]:
                var binding = node["bindings"]?[name] ?? throw Unsupported(resource, path, "has no such binding");
                int port = (int?)binding["targetPort"] ?? throw Unsupported(resource, path, "has no target port");
                // A replica reaches itself at its pod's IP; a single workload (a StatefulSet) at its stable Service name.
                string host = resource == self && workloadOf[self] != self ? $"$({PodIpVariable})" : workloadOf[resource];
                string portText = port.ToString(CultureInfo.InvariantCulture);
                return property switch
                {
                    "url" => $"{(string?)binding["scheme"]}://{host}:{portText}",
                    "host" => host,
                    // A workload's Service listens on each container port, so the two are one.
                    "port" or "targetPort" => portText,
                    _ => throw Unsupported(resource, path, "is not a binding property the generator knows"),
                };
            default:
                throw Unsupported(resource, path, $"is not an expression the generator knows for a {type}");
        }
    }

    private static NotSupportedException Unsupported(string resource, string path, string why) =>
        new($"manifest expression {{{resource}.{path}}}: {why}");

    private static string EnvironmentName(string name) => name.ToUpperInvariant().Replace('-', '_');
}
