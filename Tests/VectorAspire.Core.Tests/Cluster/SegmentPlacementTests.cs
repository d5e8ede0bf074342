using VectorAspire.Core.Cluster;

namespace VectorAspire.Core.Tests.Cluster;

/// <summary>Where sealed segments live among QueryNodes (<see cref="PlacedQueryNodeClient.Place"/>).</summary>
public sealed class SegmentPlacementTests
{
    private static NodeInfo Node(string id, long gib) => new(NodeRoles.QueryNode, id, $"http://{id}", gib << 30);

    private static readonly long[] s_segments = [.. Enumerable.Range(0, 30_000).Select(i => 1_000_000L + i * 7)];

    [Fact]
    public void SegmentsSpreadInProportionToRegisteredMemory()
    {
        NodeInfo[] members = [Node("qn-a", 2), Node("qn-b", 1), Node("qn-c", 1)];
        var counts = s_segments.GroupBy(s => PlacedQueryNodeClient.Place(members, s).NodeId).ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(counts["qn-a"] / (double)s_segments.Length, 0.47, 0.53);
        Assert.InRange(counts["qn-b"] / (double)s_segments.Length, 0.22, 0.28);
        Assert.InRange(counts["qn-c"] / (double)s_segments.Length, 0.22, 0.28);
    }

    [Fact]
    public void PlacementIsTheSameWhateverTheOrderOfTheMembers()
    {
        NodeInfo[] members = [Node("qn-a", 1), Node("qn-b", 1), Node("qn-c", 3)];
        NodeInfo[] reversed = [.. members.Reverse()];
        foreach (long s in s_segments.Take(2000))
            Assert.Equal(PlacedQueryNodeClient.Place(members, s).NodeId, PlacedQueryNodeClient.Place(reversed, s).NodeId);
    }

    [Fact]
    public void WhenANodeLeavesOnlyItsSegmentsMoveAndWhenOneJoinsItOnlyTakes()
    {
        NodeInfo a = Node("qn-a", 1), b = Node("qn-b", 1), c = Node("qn-c", 1), d = Node("qn-d", 1);
        int moved = 0;
        foreach (long s in s_segments)
        {
            string before = PlacedQueryNodeClient.Place([a, b, c], s).NodeId;
            string afterLeave = PlacedQueryNodeClient.Place([a, b], s).NodeId;
            if (before != "qn-c")
                Assert.Equal(before, afterLeave); // a survivor's segments stay where they are
            string afterJoin = PlacedQueryNodeClient.Place([a, b, c, d], s).NodeId;
            if (afterJoin != before)
            {
                Assert.Equal("qn-d", afterJoin); // nothing shuffles between the nodes that were already there
                moved++;
            }
        }
        Assert.InRange(moved / (double)s_segments.Length, 0.22, 0.28); // the joiner takes about its fair quarter
    }
}
