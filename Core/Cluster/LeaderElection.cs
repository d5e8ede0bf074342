using System.Text;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// Active-standby leadership over the meta store, as etcd's election recipe does it: candidates race to create
/// <c>key</c> bound to their own lease; the one that created it leads for as long as it keeps the lease alive, the
/// others watch the key and race again when it is deleted (resignation, or lease expiry when the leader died).
/// <para>
/// A leader that fails to renew its lease (partitioned, paused) learns it in at most one renewal interval and
/// cancels <see cref="LeadershipToken"/>; it must stop acting as leader then. Work that must never be done by two
/// leaders at once (the TSO window, catalog writes) is additionally guarded by compare-and-swap in the meta store,
/// so a stale leader's writes fail even in the window before it notices.
/// </para>
/// </summary>
public sealed class LeaderElection : IAsyncDisposable
{
    private readonly IMetaStore _store;
    private readonly string _key;
    private readonly byte[] _candidate;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly Lock _lock = new();
    private TaskCompletionSource _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _term = new();
    private Task? _loop;
    private long _leaseId;

    public LeaderElection(IMetaStore store, string key, string candidateId, TimeSpan ttl, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(candidateId);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(300));
        _store = store;
        _key = key;
        CandidateId = candidateId;
        _candidate = Encoding.UTF8.GetBytes(candidateId);
        _ttl = ttl;
        _time = time ?? TimeProvider.System;
    }

    public string CandidateId { get; }

    public bool IsLeader
    {
        get
        {
            lock (_lock)
            {
                return _elected.Task.IsCompleted && !_term.IsCancellationRequested;
            }
        }
    }

    /// <summary>Cancelled when the current term ends (lost lease, resignation, dispose); a fresh token per term.</summary>
    public CancellationToken LeadershipToken
    {
        get
        {
            lock (_lock)
            {
                return _term.Token;
            }
        }
    }

    /// <summary>Raised (on a pool thread) each time this candidate becomes leader.</summary>
    public event Action<CancellationToken>? Elected;

    /// <summary>Starts campaigning in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => CampaignLoopAsync(_stop.Token));

    /// <summary>Completes when this candidate leads (the current term's token is <see cref="LeadershipToken"/>).</summary>
    public Task WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _elected.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The current leader's candidate id, or null when there is none.</summary>
    public async ValueTask<string?> GetLeaderAsync(CancellationToken cancellationToken)
    {
        KeyValue? kv = await _store.GetAsync(_key, cancellationToken);
        return kv is null ? null : Encoding.UTF8.GetString(kv.Value);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        EndTerm();
        if (_leaseId != 0)
        {
            // Resign: revoking deletes the key, so a standby takes over at once instead of after the TTL.
            try
            {
                await _store.RevokeLeaseAsync(_leaseId, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or HttpRequestException)
            {
                // The lease expires by itself.
            }
        }

        _stop.Dispose();
    }

    private async Task CampaignLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                long lease = await _store.GrantLeaseAsync(_ttl, stop);
                _leaseId = lease;
                TxnResult won = await _store.TxnAsync([TxnCompare.KeyAbsent(_key)], [TxnOp.Put(_key, _candidate, lease)], [], stop);
                if (won.Succeeded)
                {
                    await LeadAsync(lease, stop);
                    continue;
                }

                await _store.RevokeLeaseAsync(lease, stop);
                _leaseId = 0;
                await WaitForVacancyAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                // The meta store is unreachable or failed: back off and campaign again.
                EndTerm();
                try
                {
                    await Task.Delay(_ttl / 3, _time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Keeps the lease alive while leading; returns when the term ends.</summary>
    private async Task LeadAsync(long lease, CancellationToken stop)
    {
        CancellationToken term;
        lock (_lock)
        {
            term = _term.Token;
            _elected.TrySetResult();
        }

        Elected?.Invoke(term);
        TimeSpan interval = _ttl / 3;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, stop);
                if (!await _store.KeepAliveAsync(lease, stop))
                {
                    break;
                }

                KeyValue? holder = await _store.GetAsync(_key, stop);
                if (holder is null || holder.LeaseId != lease)
                {
                    break;
                }
            }
        }
        finally
        {
            EndTerm();
        }
    }

    private async Task WaitForVacancyAsync(CancellationToken stop)
    {
        long revision = await _store.GetRevisionAsync(stop);
        if (await _store.GetAsync(_key, stop) is null)
        {
            return;
        }

        await foreach (WatchEvent change in _store.WatchAsync(_key, revision + 1, stop))
        {
            if (change.Key == _key && change.Kind == WatchEventKind.Delete)
            {
                return;
            }
        }
    }

    private void EndTerm()
    {
        CancellationTokenSource ended;
        lock (_lock)
        {
            if (!_elected.Task.IsCompleted)
            {
                return;
            }

            ended = _term;
            _term = new CancellationTokenSource();
            _elected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        ended.Cancel();
        ended.Dispose();
    }
}
