using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

/// <summary>
/// One channel of <see cref="ObjectStoreWal"/>, owned by this writer at <see cref="Epoch"/>. Appends are
/// group-committed: <see cref="AppendAsync"/> assigns the LSN under a lock and queues the record; one writer loop takes
/// everything queued, uploads it as fragment objects and commits each with a transaction on the meta store that holds
/// only while this writer's epoch is current, then completes those appends. While one commit is in flight the next
/// batch accumulates, so throughput grows with concurrency. The caller must not modify the payload until its append
/// completes. A failed or fenced commit fails its appends and every later one; the channel then refuses appends.
/// </summary>
public sealed partial class ObjectStoreWalChannel : IWalChannel
{
    /// <summary>Meta-store transactions stay well under etcd's default limit of 128 operations.</summary>
    internal const int MaxOpsPerTxn = 100;

    private readonly IObjectStore _objects;
    private readonly IMetaStore _meta;
    private readonly ObjectStoreWalOptions _options;
    private readonly ObjectStoreWal? _owner;
    private readonly ObjectStoreWal.ChannelKeys _keys;
    private readonly byte[] _epochValue;
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim _truncateGate = new(1, 1);
    private readonly ConcurrentQueue<AppendCompletion> _completionPool = new();
    private readonly Lock _lock = new();

    // Guarded by _lock.
    private readonly List<WalFragmentRef> _fragments;
    private List<PendingAppend> _queue = [];
    private long _nextLsn;
    private long _durableLsn;
    private long _firstLsn;
    private bool _closing;
    private Exception? _fault;

    // Owned by the writer loop.
    private List<PendingAppend> _batch = [];
    private readonly Task _writer;

    private ObjectStoreWalChannel(string name, ObjectStoreWal.ChannelKeys keys, IObjectStore objects, IMetaStore meta,
        ObjectStoreWalOptions options, ObjectStoreWal? owner, long epoch, List<WalFragmentRef> fragments, long firstLsn)
    {
        Name = name;
        _keys = keys;
        _objects = objects;
        _meta = meta;
        _options = options;
        _owner = owner;
        Epoch = epoch;
        _epochValue = ObjectStoreWal.EncodeLong(epoch);
        _fragments = fragments;
        _firstLsn = firstLsn;
        _nextLsn = fragments.Count > 0 ? fragments[^1].EndLsn : firstLsn;
        _durableLsn = _nextLsn;
        _writer = Task.Run(WriterLoopAsync);
    }

    public string Name { get; }

    /// <summary>This writer's epoch: the channel's epoch when it was opened here.</summary>
    public long Epoch { get; }

    public WalOwnershipGuard OwnershipGuard => new(_keys.EpochKey, _epochValue);

    /// <summary>Closing, or failed for good (e.g. fenced by a newer writer): opening the channel again must take a new epoch.</summary>
    internal bool IsRetired
    {
        get
        {
            lock (_lock)
                return _closing || _fault is not null;
        }
    }

    public long NextLsn
    {
        get
        {
            lock (_lock)
            {
                return _nextLsn;
            }
        }
    }

    /// <summary>Everything below this LSN is committed.</summary>
    public long DurableLsn
    {
        get
        {
            lock (_lock)
            {
                return _durableLsn;
            }
        }
    }

    /// <summary>The oldest LSN still stored.</summary>
    public long FirstLsn
    {
        get
        {
            lock (_lock)
            {
                return _firstLsn;
            }
        }
    }

    public int FragmentCount
    {
        get
        {
            lock (_lock)
            {
                return _fragments.Count;
            }
        }
    }

    public ValueTask<long> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (payload.Length > LocalWalChannel.MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"a WAL record holds at most {LocalWalChannel.MaxPayloadBytes} bytes");
        }

        if (!_completionPool.TryDequeue(out AppendCompletion? completion))
        {
            completion = new AppendCompletion(_completionPool);
        }

        bool wake;
        lock (_lock)
        {
            if (_fault is not null || _closing)
            {
                _completionPool.Enqueue(completion);
                ThrowNotWritable();
            }

            _queue.Add(new PendingAppend(payload, _nextLsn++, completion));
            wake = _queue.Count == 1;
        }

        if (wake)
        {
            _work.Release();
        }

        return new ValueTask<long>(completion, completion.Version);
    }

    public async IAsyncEnumerable<WalRecord> ReadAsync(long fromLsn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WalFragmentRef[] snapshot;
        lock (_lock)
        {
            int start = FirstFragmentEndingAfter(fromLsn);
            snapshot = [.. _fragments.GetRange(start, _fragments.Count - start)];
        }

        foreach (WalFragmentRef fragment in snapshot)
        {
            await foreach (WalRecord record in ObjectStoreWal.ReadFragmentAsync(_objects, _keys, fragment, fromLsn, cancellationToken))
            {
                yield return record;
            }
        }
    }

    public async ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken)
    {
        await _truncateGate.WaitAsync(cancellationToken);
        try
        {
            WalFragmentRef[] doomed;
            long newFirst;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_closing, this);
                int removable = 0;
                while (removable < _fragments.Count && _fragments[removable].EndLsn <= lsn)
                {
                    removable++;
                }

                if (removable == 0)
                {
                    return;
                }

                doomed = [.. _fragments.GetRange(0, removable)];
                newFirst = removable < _fragments.Count ? _fragments[removable].FirstLsn : doomed[^1].EndLsn;
            }

            // The truncation point moves first, in the same transaction as the first deletions, so a crash part-way
            // leaves only entries below it, which the next open deletes.
            for (int i = 0; i < doomed.Length; i += MaxOpsPerTxn - 1)
            {
                var ops = new List<TxnOp>(MaxOpsPerTxn);
                if (i == 0)
                {
                    ops.Add(TxnOp.Put(_keys.TruncKey, ObjectStoreWal.EncodeLong(newFirst)));
                }

                for (int j = i; j < Math.Min(doomed.Length, i + MaxOpsPerTxn - 1); j++)
                {
                    ops.Add(TxnOp.Delete(_keys.FragmentKey(doomed[j].FirstLsn)));
                }

                await CommitOwnedAsync(ops, cancellationToken);
            }

            lock (_lock)
            {
                _fragments.RemoveRange(0, doomed.Length);
                _firstLsn = newFirst;
            }

            foreach (WalFragmentRef fragment in doomed)
            {
                await _objects.DeleteAsync(_keys.ObjectKey(fragment), cancellationToken);
            }
        }
        finally
        {
            _truncateGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
        }

        _work.Release();
        await _writer;
        _owner?.OnChannelClosed(this);
    }

    /// <summary>Index of the first fragment holding a record ≥ <paramref name="lsn"/> (binary search; caller holds the lock).</summary>
    private int FirstFragmentEndingAfter(long lsn)
    {
        int lo = 0;
        int hi = _fragments.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_fragments[mid].EndLsn <= lsn)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void ThrowNotWritable()
    {
        if (_fault is WalFencedException fenced)
        {
            throw new WalFencedException(fenced.Channel, fenced.Epoch, fenced.CurrentEpoch);
        }

        if (_fault is not null)
        {
            throw new IOException($"WAL channel '{Name}' failed to commit and accepts no more appends; reopen it to recover", _fault);
        }

        throw new ObjectDisposedException(nameof(ObjectStoreWalChannel), $"WAL channel '{Name}' is closed");
    }

    private readonly record struct PendingAppend(ReadOnlyMemory<byte> Payload, long Lsn, AppendCompletion Completion);
}
