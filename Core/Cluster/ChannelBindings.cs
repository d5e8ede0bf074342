using System.Buffers.Binary;
using System.Text;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// Which StreamingNode owns each pchannel, persisted under <c>{prefix}{pchannel}</c> as (term, node id). Only the
/// Coordinator leader writes them, in transactions conditioned on its leadership key still being the one it won
/// (<see cref="LeaderGuard"/>), so a deposed leader can never move a channel. The term grows by one on every move:
/// a StreamingNode that sees a binding to itself with a higher term than it holds reopens (and so fences) the WAL.
/// </summary>
public sealed class ChannelBindings(IMetaStore store, string prefix)
{
    private readonly string _prefix = prefix.EndsWith('/') ? prefix : prefix + "/";

    public string Prefix => _prefix;

    /// <summary>A live view of every binding, keyed by full meta key (<c>{prefix}{pchannel}</c>).</summary>
    public MetaPrefixView<ChannelBinding> CreateView(TimeProvider? time = null) =>
        new(store, _prefix, (key, value) => ChannelBinding.Decode(key[_prefix.Length..], value), time);

    public string KeyOf(string pchannel) => _prefix + pchannel;

    public async ValueTask<IReadOnlyDictionary<string, ChannelBinding>> LoadAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ChannelBinding>(StringComparer.Ordinal);
        foreach (KeyValue kv in await store.ScanPrefixAsync(_prefix, cancellationToken))
        {
            ChannelBinding binding = ChannelBinding.Decode(kv.Key[_prefix.Length..], kv.Value);
            result[binding.Channel] = binding;
        }

        return result;
    }

    /// <summary>Writes <paramref name="changes"/> (each with its term already advanced) if <paramref name="guard"/> still holds.</summary>
    public async ValueTask<bool> ApplyAsync(LeaderGuard guard, IReadOnlyList<ChannelBinding> changes, CancellationToken cancellationToken)
    {
        for (int i = 0; i < changes.Count; i += 100)
        {
            var ops = new List<TxnOp>();
            for (int j = i; j < Math.Min(changes.Count, i + 100); j++)
            {
                ops.Add(TxnOp.Put(_prefix + changes[j].Channel, changes[j].Encode()));
            }

            TxnResult result = await store.TxnAsync([guard.Compare], ops, [], cancellationToken);
            if (!result.Succeeded)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A pchannel's owner and the term of that ownership.</summary>
public sealed record ChannelBinding(string Channel, long Term, string NodeId)
{
    public byte[] Encode()
    {
        byte[] id = Encoding.UTF8.GetBytes(NodeId);
        byte[] b = new byte[8 + id.Length];
        BinaryPrimitives.WriteInt64LittleEndian(b, Term);
        id.CopyTo(b, 8);
        return b;
    }

    public static ChannelBinding Decode(string channel, byte[] value) => value.Length >= 8
        ? new ChannelBinding(channel, BinaryPrimitives.ReadInt64LittleEndian(value), Encoding.UTF8.GetString(value.AsSpan(8)))
        : throw new InvalidDataException($"channel binding of '{channel}' holds {value.Length} bytes");
}

/// <summary>A meta-store compare that holds only while the leadership key is the one this leader created.</summary>
public readonly record struct LeaderGuard(TxnCompare Compare)
{
    public static async ValueTask<LeaderGuard?> CaptureAsync(IMetaStore store, string leaderKey, string candidateId, CancellationToken cancellationToken)
    {
        KeyValue? kv = await store.GetAsync(leaderKey, cancellationToken);
        return kv is not null && Encoding.UTF8.GetString(kv.Value) == candidateId
            ? new LeaderGuard(TxnCompare.ModRevisionIs(leaderKey, kv.ModRevision))
            : null;
    }
}

/// <summary>
/// Decides channel ownership: a channel stays where it is while its node lives; channels of dead nodes (or never
/// bound) go to the live node with the fewest; then, while one node holds two or more channels more than another,
/// one channel moves from the fullest to the emptiest (a joining node takes its share, one move at a time).
/// Deterministic for the same inputs.
/// </summary>
public static class ChannelBalancer
{
    public static IReadOnlyList<ChannelBinding> Plan(IReadOnlyList<string> channels, IReadOnlyList<string> liveNodes,
        IReadOnlyDictionary<string, ChannelBinding> current)
    {
        if (liveNodes.Count == 0)
        {
            return [];
        }

        var live = new SortedSet<string>(liveNodes, StringComparer.Ordinal);
        var load = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string node in live)
        {
            load[node] = [];
        }

        var orphans = new List<string>();
        foreach (string channel in channels)
        {
            if (current.TryGetValue(channel, out ChannelBinding? b) && live.Contains(b.NodeId))
            {
                load[b.NodeId].Add(channel);
            }
            else
            {
                orphans.Add(channel);
            }
        }

        var changes = new List<ChannelBinding>();
        foreach (string channel in orphans)
        {
            string target = Emptiest(load);
            load[target].Add(channel);
            changes.Add(Next(channel, target, current));
        }

        while (true)
        {
            string fullest = Fullest(load);
            string emptiest = Emptiest(load);
            if (load[fullest].Count - load[emptiest].Count < 2)
            {
                break;
            }

            List<string> from = load[fullest];
            from.Sort(StringComparer.Ordinal);
            string moved = from[^1];
            from.RemoveAt(from.Count - 1);
            load[emptiest].Add(moved);
            changes.RemoveAll(c => c.Channel == moved);
            changes.Add(Next(moved, emptiest, current));
        }

        return changes;
    }

    private static ChannelBinding Next(string channel, string node, IReadOnlyDictionary<string, ChannelBinding> current) =>
        new(channel, (current.TryGetValue(channel, out ChannelBinding? b) ? b.Term : 0) + 1, node);

    private static string Emptiest(Dictionary<string, List<string>> load)
    {
        string? best = null;
        foreach ((string node, List<string> held) in load)
        {
            if (best is null || held.Count < load[best].Count || (held.Count == load[best].Count && string.CompareOrdinal(node, best) < 0))
            {
                best = node;
            }
        }

        return best!;
    }

    private static string Fullest(Dictionary<string, List<string>> load)
    {
        string? best = null;
        foreach ((string node, List<string> held) in load)
        {
            if (best is null || held.Count > load[best].Count || (held.Count == load[best].Count && string.CompareOrdinal(node, best) < 0))
            {
                best = node;
            }
        }

        return best!;
    }
}
