using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace VectorAspire.Core.Meta;

public sealed partial class SqliteMetaStore
{
    private const long ReplayPageRevisions = 1000;

    private readonly List<Watcher> _watchers = [];

    /// <summary>
    /// Registers for live events and notes the current revision R in one step under the store lock; then replays
    /// history [fromRevision, R] page by page and afterwards streams live events (all &gt; R). Replay and live never
    /// overlap or leave a gap. Live events are buffered without bound per watcher, so a consumer must keep reading.
    /// The enumeration ends when the store is disposed and throws <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        (byte[] lo, byte[]? hi) = PrefixRange(prefix);
        var watcher = new Watcher(lo, hi);
        long registeredAt;
        lock (_lock)
        {
            EnterOperation();
            if (fromRevision > 0 && fromRevision <= _compactedRevision)
            {
                throw new RevisionCompactedException(fromRevision, _compactedRevision);
            }

            _watchers.Add(watcher);
            registeredAt = _revision;
        }

        try
        {
            if (fromRevision > 0)
            {
                for (long from = fromRevision; from <= registeredAt; from += ReplayPageRevisions)
                {
                    long to = Math.Min(registeredAt, from + ReplayPageRevisions - 1);
                    List<WatchEvent> page = ReadHistoryPage(lo, hi, from, to);
                    foreach (WatchEvent e in page)
                    {
                        yield return e;
                    }
                }
            }

            ChannelReader<WatchEvent> live = watcher.Events.Reader;
            while (await live.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (live.TryRead(out WatchEvent? e))
                {
                    if (e.Revision >= fromRevision)
                    {
                        yield return e;
                    }
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private List<WatchEvent> ReadHistoryPage(byte[] lo, byte[]? hi, long from, long to)
    {
        var page = new List<WatchEvent>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (from <= _compactedRevision)
            {
                throw new RevisionCompactedException(from, _compactedRevision);
            }

            using SqliteDataReader reader = Bind(_sql.ReadHistory, from, to, lo, hi).ExecuteReader();
            while (reader.Read())
            {
                page.Add(new WatchEvent((WatchEventKind)reader.GetInt32(1), s_utf8.GetString((byte[])reader[2]), (byte[])reader[3],
                    reader.GetInt64(0)));
            }
        }

        return page;
    }

    /// <summary>Hands committed events to matching watchers; runs under the store lock, so they arrive in revision order.</summary>
    private void Publish(List<PendingEvent> events)
    {
        foreach (Watcher watcher in _watchers)
        {
            foreach (PendingEvent pending in events)
            {
                if (watcher.Matches(pending.KeyBytes))
                {
                    watcher.Events.Writer.TryWrite(pending.Event);
                }
            }
        }
    }

    private sealed class Watcher(byte[] lo, byte[]? hi)
    {
        public Channel<WatchEvent> Events { get; } =
            Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public bool Matches(byte[] key) =>
            key.AsSpan().SequenceCompareTo(lo) >= 0 && (hi is null || key.AsSpan().SequenceCompareTo(hi) < 0);
    }
}
