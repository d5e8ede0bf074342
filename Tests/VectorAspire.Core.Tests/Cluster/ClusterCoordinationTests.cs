using System.Diagnostics;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Tests.TestSupport;

namespace VectorAspire.Core.Tests.Cluster;

/// <summary>
/// Leader election, the node registry and channel bindings over a real meta store with real time (leases really
/// expire). Subclasses choose the store: embedded SQLite here, etcd in the etcd test class.
/// </summary>
public abstract class ClusterCoordinationTestsBase : IAsyncLifetime
{
    /// <summary>Lease TTL of the candidates and nodes (etcd rounds up to whole seconds and has a floor).</summary>
    protected virtual TimeSpan Ttl => TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);
    private IMetaStore? _store;

    protected IMetaStore Store => _store ?? throw new InvalidOperationException("store not opened");

    protected abstract ValueTask<IMetaStore> OpenStore();

    protected virtual ValueTask DisposeStorage() => ValueTask.CompletedTask;

    public async Task InitializeAsync() => _store = await OpenStore();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await DisposeStorage();
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < s_deadline, $"{what} did not happen within {s_deadline}");
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task ExactlyOneCandidateLeadsAndAStandbyTakesOverWhenTheLeaderResigns()
    {
        await using var a = new LeaderElection(Store, "t/leader", "a", Ttl);
        await using var b = new LeaderElection(Store, "t/leader", "b", Ttl);
        a.Start();
        b.Start();
        await Task.WhenAny(a.WaitForLeadershipAsync(CancellationToken.None), b.WaitForLeadershipAsync(CancellationToken.None)).WaitAsync(s_deadline);
        await Task.Delay(Ttl * 2); // several renewal rounds: still exactly one leader
        Assert.True(a.IsLeader ^ b.IsLeader);
        LeaderElection leader = a.IsLeader ? a : b;
        LeaderElection standby = a.IsLeader ? b : a;
        Assert.Equal(leader.CandidateId, await standby.GetLeaderAsync(CancellationToken.None));
        CancellationToken term = leader.LeadershipToken;

        var clock = Stopwatch.StartNew();
        await leader.DisposeAsync();
        Assert.True(term.IsCancellationRequested);
        await standby.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(s_deadline);
        Assert.True(clock.Elapsed < Ttl, $"resignation hand-over took {clock.Elapsed}, expected well under the TTL");
    }

    [Fact]
    public async Task ALeaderCutOffFromTheStoreLosesItsTermAndTheStandbyTakesOverAfterTheTtl()
    {
        var partitioned = new PartitionableMetaStore(Store);
        await using var a = new LeaderElection(partitioned, "t/leader", "a", Ttl);
        a.Start();
        await a.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(s_deadline);
        await using var b = new LeaderElection(Store, "t/leader", "b", Ttl);
        b.Start();
        CancellationToken term = a.LeadershipToken;

        partitioned.Cut();
        var clock = Stopwatch.StartNew();
        await b.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(s_deadline);
        Assert.True(term.IsCancellationRequested, "the cut-off leader must have ended its term before another was elected");
        Assert.False(a.IsLeader);
        Assert.True(clock.Elapsed < Ttl * 4, $"take-over took {clock.Elapsed}");
    }

    [Fact]
    public async Task TheDirectorySeesNodesJoinLeaveAndDie()
    {
        await using var directory = new NodeDirectory(Store, "t/nodes/");
        await using var early = new NodeRegistration(Store, "t/nodes/", new NodeInfo(NodeRoles.QueryNode, "qn-1", "http://127.0.0.1:1001", 1 << 30), Ttl);
        await early.StartAsync(CancellationToken.None);
        await directory.StartAsync(CancellationToken.None);
        Assert.Equal(["qn-1"], directory.Members(NodeRoles.QueryNode).Select(n => n.NodeId));
        Assert.Equal(1 << 30, directory.Find(NodeRoles.QueryNode, "qn-1")!.MemoryBytes);

        var partitioned = new PartitionableMetaStore(Store);
        await using var doomed = new NodeRegistration(partitioned, "t/nodes/", new NodeInfo(NodeRoles.QueryNode, "qn-2", "http://127.0.0.1:1002"), Ttl);
        await doomed.StartAsync(CancellationToken.None);
        await using var leaving = new NodeRegistration(Store, "t/nodes/", new NodeInfo(NodeRoles.StreamingNode, "sn-1", "http://127.0.0.1:2001"), Ttl);
        await leaving.StartAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(s_deadline);
        await directory.WaitUntilAsync(d => d.Members(NodeRoles.QueryNode).Count == 2 && d.Members(NodeRoles.StreamingNode).Count == 1, cts.Token);

        await leaving.DisposeAsync();
        await directory.WaitUntilAsync(d => d.Members(NodeRoles.StreamingNode).Count == 0, cts.Token);

        partitioned.Cut(); // its lease is no longer renewed: gone within about one TTL
        await Eventually(() => Task.FromResult(directory.Members(NodeRoles.QueryNode).Count == 1), "the dead node leaving the directory");
        Assert.Equal("qn-1", directory.Members(NodeRoles.QueryNode).Single().NodeId);
        await Task.Delay(Ttl * 2);
        Assert.NotNull(directory.Find(NodeRoles.QueryNode, "qn-1")); // a live node's lease is kept alive
    }

    [Fact]
    public async Task OnlyTheCurrentLeaderCanMoveChannels()
    {
        var bindings = new ChannelBindings(Store, "t/channels/");
        await using (var first = new LeaderElection(Store, "t/leader", "c1", Ttl))
        {
            first.Start();
            await first.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(s_deadline);
            LeaderGuard guard = (await LeaderGuard.CaptureAsync(Store, "t/leader", "c1", CancellationToken.None))!.Value;
            IReadOnlyList<ChannelBinding> plan = ChannelBalancer.Plan(["p0", "p1"], ["sn-a"], await bindings.LoadAsync(CancellationToken.None));
            Assert.True(await bindings.ApplyAsync(guard, plan, CancellationToken.None));
            await first.DisposeAsync();

            await using var second = new LeaderElection(Store, "t/leader", "c2", Ttl);
            second.Start();
            await second.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(s_deadline);
            IReadOnlyList<ChannelBinding> stalePlan = ChannelBalancer.Plan(["p0", "p1"], ["sn-b"], await bindings.LoadAsync(CancellationToken.None));
            Assert.False(await bindings.ApplyAsync(guard, stalePlan, CancellationToken.None));
            Assert.Null(await LeaderGuard.CaptureAsync(Store, "t/leader", "c1", CancellationToken.None));
        }

        IReadOnlyDictionary<string, ChannelBinding> stored = await bindings.LoadAsync(CancellationToken.None);
        Assert.Equal("sn-a", stored["p0"].NodeId);
        Assert.Equal(1, stored["p0"].Term);
    }
}

public sealed class ClusterCoordinationTests : ClusterCoordinationTestsBase
{
    private readonly TempDirectory _dir = new();

    protected override ValueTask<IMetaStore> OpenStore() => ValueTask.FromResult<IMetaStore>(new SqliteMetaStore(_dir.Combine("meta.db")));

    protected override ValueTask DisposeStorage()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class ChannelBalancerTests
{
    private static Dictionary<string, ChannelBinding> Bound(params (string Channel, string Node, long Term)[] b) =>
        b.ToDictionary(x => x.Channel, x => new ChannelBinding(x.Channel, x.Term, x.Node));

    [Fact]
    public void UnboundChannelsAreSpreadEvenly()
    {
        string[] channels = [.. Enumerable.Range(0, 16).Select(i => $"p{i}")];
        IReadOnlyList<ChannelBinding> plan = ChannelBalancer.Plan(channels, ["a", "b", "c"], Bound());
        Assert.Equal(16, plan.Count);
        Assert.All(plan, c => Assert.Equal(1, c.Term));
        int[] counts = [.. plan.GroupBy(c => c.NodeId).Select(g => g.Count()).Order()];
        Assert.Equal([5, 5, 6], counts);
    }

    [Fact]
    public void ChannelsOfADeadNodeMoveToSurvivorsWithANewTermAndOthersStay()
    {
        var current = Bound(("p0", "a", 3), ("p1", "b", 1), ("p2", "a", 1), ("p3", "b", 2));
        IReadOnlyList<ChannelBinding> plan = ChannelBalancer.Plan(["p0", "p1", "p2", "p3"], ["b", "c"], current);
        Assert.Equal(["p0", "p2"], plan.Select(c => c.Channel).Order());
        Assert.All(plan, c => Assert.Equal("c", c.NodeId));
        Assert.Equal(4, plan.Single(c => c.Channel == "p0").Term);
    }

    [Fact]
    public void AJoiningNodeTakesItsShareAndABalancedClusterIsLeftAlone()
    {
        var current = Bound(("p0", "a", 1), ("p1", "a", 1), ("p2", "a", 1), ("p3", "a", 1));
        IReadOnlyList<ChannelBinding> plan = ChannelBalancer.Plan(["p0", "p1", "p2", "p3"], ["a", "b"], current);
        Assert.Equal(2, plan.Count);
        Assert.All(plan, c => Assert.Equal("b", c.NodeId));
        var after = new Dictionary<string, ChannelBinding>(current);
        foreach (ChannelBinding c in plan)
        {
            after[c.Channel] = c;
        }

        Assert.Empty(ChannelBalancer.Plan(["p0", "p1", "p2", "p3"], ["a", "b"], after));
        Assert.Empty(ChannelBalancer.Plan(["p0"], [], current));
    }
}

/// <summary>The same coordination behaviour against a real etcd (its smallest lease TTL is 2 s).</summary>
public sealed class EtcdClusterCoordinationTests(EtcdServerFixture etcd) : ClusterCoordinationTestsBase, IClassFixture<EtcdServerFixture>
{
    protected override TimeSpan Ttl => TimeSpan.FromSeconds(2);

    protected override ValueTask<IMetaStore> OpenStore() =>
        ValueTask.FromResult<IMetaStore>(new EtcdMetaStore(etcd.Server.CreateOptions(EtcdServer.UniquePrefix())));
}
