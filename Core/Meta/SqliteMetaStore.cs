using System.Text;
using Microsoft.Data.Sqlite;

namespace VectorAspire.Core.Meta;

/// <summary>
/// Embedded <see cref="IMetaStore"/> with etcd's semantics on one SQLite file (WAL journal, synchronous=FULL).
/// Every change bumps one global revision (a transaction or prefix delete shares one revision across its keys) and
/// is recorded in a history table that feeds watches; history older than
/// <see cref="SqliteMetaStoreOptions.HistoryRetention"/> revisions is compacted. All access goes through one
/// connection under one lock: metadata traffic is small and this makes every operation trivially serializable.
/// Keys are compared as UTF-8 bytes (etcd's order), which equals ordinal order except that characters above
/// U+FFFF sort after U+E000–U+FFFF.
/// </summary>
public sealed partial class SqliteMetaStore : IMetaStore
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Lock _lock = new();
    private readonly SqliteConnection _db;
    private readonly Statements _sql;
    private readonly TimeProvider _time;
    private readonly SqliteMetaStoreOptions _options;
    private readonly ITimer _leaseTimer;
    private readonly List<PendingEvent> _pending = [];
    private long _revision;
    private long _compactedRevision;
    private long _lastLeaseId;
    private long _writeRevision;
    private long _earliestLeaseExpiryMs;
    private bool _disposed;

    public SqliteMetaStore(string databasePath, TimeProvider? time = null, SqliteMetaStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _time = time ?? TimeProvider.System;
        _options = options ?? new SqliteMetaStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.HistoryRetention, 1, nameof(options));
        string? directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Pooling off: the file must really be closed on dispose (tests delete it; a restart reopens it).
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        _db = new SqliteConnection(connectionString);
        try
        {
            _db.Open();
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
            long version = Convert.ToInt64(Scalar("PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"meta store '{databasePath}' has schema version {version}; this build reads up to {SchemaVersion}");
            }

            Execute(Schema + $"PRAGMA user_version = {SchemaVersion};");
            _sql = new Statements(_db);
            _revision = ReadCounter(CounterRevision);
            _compactedRevision = ReadCounter(CounterCompacted);
            _lastLeaseId = ReadCounter(CounterLease);
            RefreshEarliestLeaseExpiry();
        }
        catch
        {
            _db.Dispose();
            throw;
        }

        _leaseTimer = _time.CreateTimer(static state => ((SqliteMetaStore)state!).OnLeaseTimer(), this,
            _options.LeaseCheckInterval, _options.LeaseCheckInterval);
    }

    public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        byte[] keyBytes = KeyBytes(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            return ValueTask.FromResult(ReadKey(key, keyBytes));
        }
    }

    public ValueTask<IReadOnlyList<KeyValue>> ScanPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        (byte[] lo, byte[]? hi) = PrefixRange(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            var result = new List<KeyValue>();
            using SqliteDataReader reader = Bind(_sql.ScanRange, lo, hi).ExecuteReader();
            while (reader.Read())
            {
                result.Add(new KeyValue(s_utf8.GetString((byte[])reader[0]), (byte[])reader[1], reader.GetInt64(2),
                    reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
            }

            return ValueTask.FromResult<IReadOnlyList<KeyValue>>(result);
        }
    }

    public ValueTask<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken)
    {
        byte[] keyBytes = KeyBytes(key);
        byte[] valueBytes = value.ToArray();
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            BeginWrite();
            try
            {
                PutLocked(key, keyBytes, valueBytes, leaseId);
            }
            catch
            {
                AbortWrite();
                throw;
            }

            return ValueTask.FromResult(CommitWrite());
        }
    }

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        byte[] keyBytes = KeyBytes(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            BeginWrite();
            bool deleted;
            try
            {
                deleted = DeleteLocked(key, keyBytes);
            }
            catch
            {
                AbortWrite();
                throw;
            }

            CommitWrite();
            return ValueTask.FromResult(deleted);
        }
    }

    public ValueTask<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        (byte[] lo, byte[]? hi) = PrefixRange(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            BeginWrite();
            int count;
            try
            {
                count = DeleteRangeLocked(lo, hi);
            }
            catch
            {
                AbortWrite();
                throw;
            }

            CommitWrite();
            return ValueTask.FromResult(count);
        }
    }

    public ValueTask<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> onSuccess,
        IReadOnlyList<TxnOp> onFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compares);
        ArgumentNullException.ThrowIfNull(onSuccess);
        ArgumentNullException.ThrowIfNull(onFailure);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            BeginWrite();
            bool succeeded;
            try
            {
                succeeded = true;
                foreach (TxnCompare compare in compares)
                {
                    if (!Holds(compare))
                    {
                        succeeded = false;
                        break;
                    }
                }

                foreach (TxnOp op in succeeded ? onSuccess : onFailure)
                {
                    Apply(op);
                }
            }
            catch
            {
                AbortWrite();
                throw;
            }

            return ValueTask.FromResult(new TxnResult(succeeded, CommitWrite()));
        }
    }

    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            EnterOperation();
            return ValueTask.FromResult(_revision);
        }
    }

    public ValueTask DisposeAsync()
    {
        Watcher[] watchers;
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            watchers = [.. _watchers];
            _watchers.Clear();
            _leaseTimer.Dispose();
            _sql.Dispose();
            _db.Dispose();
        }

        foreach (Watcher watcher in watchers)
        {
            watcher.Events.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    private bool Holds(TxnCompare compare)
    {
        KeyValue? current = ReadKey(compare.Key, KeyBytes(compare.Key));
        if (compare.Target == CompareTarget.Value)
        {
            if (current is null)
            {
                return false; // etcd: a value compare against a missing key never holds
            }

            int order = current.Value.AsSpan().SequenceCompareTo(compare.Value ?? []);
            return Matches(order, compare.Op);
        }

        long actual = current is null ? 0 : compare.Target == CompareTarget.Version ? current.Version : current.ModRevision;
        return Matches(actual.CompareTo(compare.Number), compare.Op);
    }

    private static bool Matches(int order, CompareOp op) => op switch
    {
        CompareOp.Equal => order == 0,
        CompareOp.NotEqual => order != 0,
        CompareOp.Less => order < 0,
        CompareOp.Greater => order > 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown compare operator"),
    };

    private void Apply(TxnOp op)
    {
        switch (op.Kind)
        {
            case TxnOpKind.Put:
                PutLocked(op.Key, KeyBytes(op.Key), op.Value ?? [], op.LeaseId);
                break;
            case TxnOpKind.Delete:
                DeleteLocked(op.Key, KeyBytes(op.Key));
                break;
            case TxnOpKind.DeletePrefix:
                (byte[] lo, byte[]? hi) = PrefixRange(op.Key);
                DeleteRangeLocked(lo, hi);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "unknown transaction operation");
        }
    }

    private KeyValue? ReadKey(string key, byte[] keyBytes)
    {
        using SqliteDataReader reader = Bind(_sql.GetKey, keyBytes).ExecuteReader();
        return reader.Read()
            ? new KeyValue(key, (byte[])reader[0], reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4))
            : null;
    }

    private void PutLocked(string key, byte[] keyBytes, byte[] value, long leaseId)
    {
        if (leaseId != 0 && Bind(_sql.LeaseExists, leaseId).ExecuteScalar() is null)
        {
            throw new LeaseNotFoundException(leaseId);
        }

        Bind(_sql.Upsert, keyBytes, value, _writeRevision, leaseId).ExecuteNonQuery();
        Record(WatchEventKind.Put, key, keyBytes, value);
    }

    private bool DeleteLocked(string key, byte[] keyBytes)
    {
        if (Bind(_sql.DeleteKey, keyBytes).ExecuteNonQuery() == 0)
        {
            return false;
        }

        Record(WatchEventKind.Delete, key, keyBytes, []);
        return true;
    }

    private int DeleteRangeLocked(byte[] lo, byte[]? hi) => DeleteKeys(ReadKeys(Bind(_sql.KeysInRange, lo, hi)));

    private int DeleteKeys(List<byte[]> keys)
    {
        foreach (byte[] keyBytes in keys)
        {
            DeleteLocked(s_utf8.GetString(keyBytes), keyBytes);
        }

        return keys.Count;
    }

    private static List<byte[]> ReadKeys(SqliteCommand command)
    {
        var keys = new List<byte[]>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add((byte[])reader[0]);
        }

        return keys;
    }

    /// <summary>Starts a write transaction whose changes (if any) get revision <see cref="_revision"/> + 1.</summary>
    private void BeginWrite()
    {
        _sql.Begin.ExecuteNonQuery();
        _writeRevision = _revision + 1;
        _pending.Clear();
    }

    private void Record(WatchEventKind kind, string key, byte[] keyBytes, byte[] value)
    {
        Bind(_sql.AddHistory, _writeRevision, _pending.Count, (int)kind, keyBytes, value).ExecuteNonQuery();
        _pending.Add(new PendingEvent(new WatchEvent(kind, key, value, _writeRevision), keyBytes));
    }

    /// <summary>Commits; the revision moves only if something changed. Returns the store revision afterwards.</summary>
    private long CommitWrite()
    {
        if (_pending.Count == 0)
        {
            _sql.Rollback.ExecuteNonQuery();
            return _revision;
        }

        try
        {
            SetCounter(CounterRevision, _writeRevision);
            long cut = _writeRevision - _options.HistoryRetention;
            // Compact in steps of ~1/16 of the retention so the delete runs rarely.
            if (cut > _compactedRevision + Math.Max(1, _options.HistoryRetention / 16))
            {
                Bind(_sql.CompactHistory, cut).ExecuteNonQuery();
                SetCounter(CounterCompacted, cut);
            }
            else
            {
                cut = _compactedRevision;
            }

            _sql.Commit.ExecuteNonQuery();
            _compactedRevision = cut;
        }
        catch
        {
            AbortWrite();
            throw;
        }

        _revision = _writeRevision;
        Publish(_pending);
        _pending.Clear();
        return _revision;
    }

    private void AbortWrite()
    {
        _pending.Clear();
        if (SQLitePCL.raw.sqlite3_get_autocommit(_db.Handle) == 0)
        {
            _sql.Rollback.ExecuteNonQuery();
        }
    }

    private void EnterOperation()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ExpireLeasesLocked();
    }

    private long ReadCounter(string name)
    {
        using SqliteCommand command = _db.CreateCommand();
        command.CommandText = "SELECT value FROM counters WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private void SetCounter(string name, long value) => Bind(_sql.SetCounter, name, value).ExecuteNonQuery();

    private void Execute(string sql)
    {
        using SqliteCommand command = _db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using SqliteCommand command = _db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static byte[] KeyBytes(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return s_utf8.GetBytes(key);
    }

    /// <summary>[prefix, successor) over UTF-8 bytes; no upper bound for the empty prefix.</summary>
    private static (byte[] Lo, byte[]? Hi) PrefixRange(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        byte[] lo = s_utf8.GetBytes(prefix);
        for (int i = lo.Length - 1; i >= 0; i--)
        {
            if (lo[i] != 0xFF)
            {
                byte[] hi = lo.AsSpan(0, i + 1).ToArray();
                hi[i]++;
                return (lo, hi);
            }
        }

        return (lo, null);
    }

    private readonly record struct PendingEvent(WatchEvent Event, byte[] KeyBytes);
}
