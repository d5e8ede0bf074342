using System.Xml.Linq;

namespace VectorAspire.Core.Tests.Architecture;

/// <summary>Roles meet only through the client interfaces in Core: no role project references another.</summary>
public sealed class ProjectReferenceTests
{
    private static readonly string[] s_roles = ["Proxy", "Coordinator", "StreamingNode", "QueryNode", "DataNode"];
    private static readonly string[] s_allowedForRoles = ["Core", "ServiceDefaults", "Protos", "Cluster", "NodeHost"];

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VectorAspire.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static IEnumerable<string> ReferencedProjects(string project)
    {
        string path = Path.Combine(RepoRoot(), project, $"VectorAspire.{project}.csproj");
        var doc = XDocument.Load(path);
        foreach (var reference in doc.Descendants("ProjectReference"))
        {
            string include = reference.Attribute("Include")!.Value.Replace('\\', '/');
            yield return Path.GetFileNameWithoutExtension(include).Replace("VectorAspire.", "", StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Proxy")]
    [InlineData("Coordinator")]
    [InlineData("StreamingNode")]
    [InlineData("QueryNode")]
    [InlineData("DataNode")]
    public void RoleProjectsReferenceOnlySharedProjects(string role)
    {
        foreach (var referenced in ReferencedProjects(role))
        {
            Assert.False(s_roles.Contains(referenced), $"{role} references role project {referenced}; roles must meet through Core/Contracts interfaces");
            Assert.Contains(referenced, s_allowedForRoles);
        }
    }

    [Fact]
    public void ClusterProjectReferencesNoRole()
    {
        // The role-to-role gRPC clients and codecs are shared by every role, so they may depend only on Core and Protos.
        foreach (var referenced in ReferencedProjects("Cluster"))
            Assert.Contains(referenced, new[] { "Core", "Protos" });
    }

    [Fact]
    public void NodeHostReferencesNoRole()
    {
        // The cluster process host every role's Program builds on: shared plumbing only.
        foreach (var referenced in ReferencedProjects("NodeHost"))
            Assert.Contains(referenced, new[] { "Core", "Cluster", "ServiceDefaults" });
    }

    [Fact]
    public void GatewayReferencesNoRole()
    {
        // The gateway forwards to Proxies over the network; it shares only the demux transport and the service defaults.
        foreach (var referenced in ReferencedProjects("Gateway"))
            Assert.Contains(referenced, new[] { "Core", "ServiceDefaults" });
    }

    [Fact]
    public void CoreReferencesNoProjectAndItsEngineFoldersDoNotUseAspNetCore()
    {
        var doc = XDocument.Load(Path.Combine(RepoRoot(), "Core", "VectorAspire.Core.csproj"));
        Assert.Empty(doc.Descendants("ProjectReference"));
        // Only the gRPC framing (Core/Rpc) talks to Kestrel; the engine stays host-agnostic.
        string core = Path.Combine(RepoRoot(), "Core");
        foreach (var file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(core, file).Replace('\\', '/');
            if (relative.StartsWith("Rpc/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
                continue;
            Assert.DoesNotContain("Microsoft.AspNetCore", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
