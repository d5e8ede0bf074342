using System.Buffers.Binary;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Time;

/// <summary>
/// Hands out strictly increasing <see cref="HybridTimestamp"/>s, across calls and across restarts.
/// <para>
/// Invariant: every physical millisecond handed out is ≤ the bound persisted under <c>key</c> (8 bytes, little-endian
/// Unix ms). The bound is renewed to (clock + window) before it is crossed, so the store sees one write per window,
/// not per call; the renewing caller waits for that write. A restarted oracle starts strictly above the persisted
/// bound, so it never repeats a timestamp even if the clock went backwards. If the clock stalls or goes backwards
/// while running, the logical counter keeps counting; when it runs out the physical part moves to the next
/// millisecond. The bound is written with compare-and-swap on its mod revision: if another oracle took over the key,
/// this one throws instead of handing out timestamps the other may also issue.
/// </para>
/// </summary>
public sealed class TimestampOracle : ITimestampOracle
{
    private const long LogicalLimit = 1L << HybridTimestamp.LogicalBits;

    private readonly IMetaStore _store;
    private readonly string _key;
    private readonly TimeProvider _time;
    private readonly long _windowMs;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _renewal = new(1, 1);

    // Guarded by _lock. _bound == 0: not loaded from the store yet.
    private long _physical;
    private long _logical;
    private long _bound;

    private readonly long _renewAheadMs;

    // Guarded by _lock: a background renewal has been started and has not finished.
    private bool _renewingAhead;

    // Only touched while holding _renewal.
    private long _boundModRevision;

    public TimestampOracle(IMetaStore store, string key, TimeProvider time, TimeSpan? window = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(time);
        TimeSpan w = window ?? TimeSpan.FromSeconds(3);
        ArgumentOutOfRangeException.ThrowIfLessThan(w, TimeSpan.FromMilliseconds(1), nameof(window));
        _store = store;
        _key = key;
        _time = time;
        _windowMs = (long)w.TotalMilliseconds;
        _renewAheadMs = _windowMs / 3;
    }

    public ValueTask<ulong> AllocateAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, LogicalLimit);
        ulong first;
        bool renewAhead = false;
        lock (_lock)
        {
            if (!TryAllocateLocked(count, out first))
            {
                return AllocateAfterRenewalAsync(count, cancellationToken);
            }

            if (!_renewingAhead && _physical > _bound - _renewAheadMs)
            {
                _renewingAhead = renewAhead = true;
            }
        }

        if (renewAhead)
        {
            _ = RenewAheadAsync();
        }

        return ValueTask.FromResult(first);
    }

    private async Task RenewAheadAsync()
    {
        try
        {
            await _renewal.WaitAsync();
            try
            {
                bool stillNeeded;
                lock (_lock)
                {
                    stillNeeded = _physical > _bound - _renewAheadMs;
                }

                if (stillNeeded)
                {
                    await RenewAsync(CancellationToken.None);
                }
            }
            finally
            {
                _renewal.Release();
            }
        }
        catch (Exception)
        {
            // Not lost: the first caller to reach the bound renews in the foreground and gets the same failure.
        }
        finally
        {
            lock (_lock)
            {
                _renewingAhead = false;
            }
        }
    }

    private bool TryAllocateLocked(int count, out ulong first)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long physical = _physical;
        long logical = _logical;
        if (now > physical)
        {
            physical = now;
            logical = 0;
        }

        if (logical + count > LogicalLimit)
        {
            physical++;
            logical = 0;
        }

        if (_bound == 0 || physical > _bound)
        {
            first = 0;
            return false;
        }

        _physical = physical;
        _logical = logical + count;
        first = HybridTimestamp.Compose(physical, logical);
        return true;
    }

    private async ValueTask<ulong> AllocateAfterRenewalAsync(int count, CancellationToken cancellationToken)
    {
        await _renewal.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                lock (_lock)
                {
                    if (TryAllocateLocked(count, out ulong first))
                    {
                        return first;
                    }
                }

                await RenewAsync(cancellationToken);
            }
        }
        finally
        {
            _renewal.Release();
        }
    }

    private async ValueTask RenewAsync(CancellationToken cancellationToken)
    {
        long physical;
        bool loaded;
        lock (_lock)
        {
            loaded = _bound != 0;
            physical = _physical;
        }

        if (!loaded)
        {
            KeyValue? persisted = await _store.GetAsync(_key, cancellationToken);
            long persistedBound = persisted is null ? 0 : ReadBound(persisted.Value);
            _boundModRevision = persisted?.ModRevision ?? 0;
            lock (_lock)
            {
                // Everything up to the persisted bound may have been issued before the restart: continue above it.
                if (persistedBound >= _physical)
                {
                    _physical = persistedBound;
                    _logical = LogicalLimit;
                }

                physical = _physical;
            }
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long newBound = Math.Max(now, physical + 1) + _windowMs;
        byte[] value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, newBound);
        TxnResult result = await _store.TxnAsync([TxnCompare.ModRevisionIs(_key, _boundModRevision)], [TxnOp.Put(_key, value)], [],
            cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"timestamp oracle key '{_key}' was changed by another oracle; only one oracle may own it (restart this one to take over)");
        }

        _boundModRevision = result.Revision;
        lock (_lock)
        {
            _bound = newBound;
        }
    }

    private long ReadBound(byte[] value) => value.Length == 8
        ? BinaryPrimitives.ReadInt64LittleEndian(value)
        : throw new InvalidOperationException($"timestamp oracle key '{_key}' holds {value.Length} bytes, expected an 8-byte bound");
}
