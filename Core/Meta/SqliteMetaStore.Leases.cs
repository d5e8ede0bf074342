namespace VectorAspire.Core.Meta;

public sealed partial class SqliteMetaStore
{
    public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(1));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            long id = _lastLeaseId + 1;
            long ttlMs = (long)Math.Ceiling(ttl.TotalMilliseconds);
            _sql.Begin.ExecuteNonQuery();
            try
            {
                Bind(_sql.InsertLease, id, ttlMs, NowMs() + ttlMs).ExecuteNonQuery();
                SetCounter(CounterLease, id);
                _sql.Commit.ExecuteNonQuery();
                _earliestLeaseExpiryMs = Math.Min(_earliestLeaseExpiryMs, NowMs() + ttlMs);
            }
            catch
            {
                AbortWrite();
                throw;
            }

            _lastLeaseId = id;
            return ValueTask.FromResult(id);
        }
    }

    public ValueTask<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation(); // an expired lease is removed here, so the update below finds nothing
            return ValueTask.FromResult(Bind(_sql.RenewLease, leaseId, NowMs()).ExecuteNonQuery() == 1);
        }
    }

    /// <summary>Deletes the lease's keys (one revision) and the lease; revoking an unknown lease does nothing.</summary>
    public ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            RemoveLeaseLocked(leaseId);
            return ValueTask.CompletedTask;
        }
    }

    private void RemoveLeaseLocked(long leaseId)
    {
        BeginWrite();
        try
        {
            DeleteKeys(ReadKeys(Bind(_sql.KeysOfLease, leaseId)));
            Bind(_sql.DeleteLease, leaseId).ExecuteNonQuery();
        }
        catch
        {
            AbortWrite();
            throw;
        }

        if (_pending.Count == 0)
        {
            // No keys: commit just the lease removal; the revision does not move.
            _sql.Commit.ExecuteNonQuery();
        }
        else
        {
            CommitWrite();
        }
    }

    /// <summary>Removes every lease whose deadline has passed, with its keys; each lease is one revision, like an etcd revoke.</summary>
    private void ExpireLeasesLocked()
    {
        long now = NowMs();
        if (now < _earliestLeaseExpiryMs)
        {
            return; // the common case: no query at all
        }

        var expired = new List<long>();
        using (var reader = Bind(_sql.ExpiredLeases, now).ExecuteReader())
        {
            while (reader.Read())
            {
                expired.Add(reader.GetInt64(0));
            }
        }

        foreach (long leaseId in expired)
        {
            RemoveLeaseLocked(leaseId);
        }

        RefreshEarliestLeaseExpiry();
    }

    /// <summary>
    /// Reloads the earliest lease deadline. Between reloads the cached value may be earlier than the truth (a renewal or
    /// revoke does not raise it), which only costs one extra query; it is never later, so no expiry is missed.
    /// </summary>
    private void RefreshEarliestLeaseExpiry()
    {
        _earliestLeaseExpiryMs = _sql.NextExpiry.ExecuteScalar() is long ms ? ms : long.MaxValue;
    }

    private void OnLeaseTimer()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                ExpireLeasesLocked();
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // Not lost: the next operation retries the expiry lazily and reports the failure to its caller.
            }
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
