using Microsoft.Data.Sqlite;

namespace VectorAspire.Core.Meta;

/// <summary>Schema and prepared statements. Keys are stored as UTF-8 BLOBs, so SQLite's byte-wise order is etcd's order.</summary>
public sealed partial class SqliteMetaStore
{
    private const int SchemaVersion = 1;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS kv (
            key BLOB PRIMARY KEY, value BLOB NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL,
            version INTEGER NOT NULL, lease INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS kv_by_lease ON kv (lease) WHERE lease <> 0;
        CREATE TABLE IF NOT EXISTS history (
            rev INTEGER NOT NULL, sub INTEGER NOT NULL, kind INTEGER NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,
            PRIMARY KEY (rev, sub)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS leases (id INTEGER PRIMARY KEY, ttl_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        """;

    private const string CounterRevision = "revision";
    private const string CounterCompacted = "compacted";
    private const string CounterLease = "lease";

    private sealed class Statements(SqliteConnection db) : IDisposable
    {
        public SqliteCommand Begin { get; } = Prepare(db, "BEGIN IMMEDIATE");
        public SqliteCommand Commit { get; } = Prepare(db, "COMMIT");
        public SqliteCommand Rollback { get; } = Prepare(db, "ROLLBACK");
        public SqliteCommand GetKey { get; } = Prepare(db, "SELECT value, create_rev, mod_rev, version, lease FROM kv WHERE key = $k", "$k");
        public SqliteCommand ScanRange { get; } = Prepare(db, 
            "SELECT key, value, create_rev, mod_rev, version, lease FROM kv WHERE key >= $lo AND ($hi IS NULL OR key < $hi) ORDER BY key",
            "$lo", "$hi");
        public SqliteCommand KeysInRange { get; } = Prepare(db, 
            "SELECT key FROM kv WHERE key >= $lo AND ($hi IS NULL OR key < $hi) ORDER BY key", "$lo", "$hi");
        public SqliteCommand KeysOfLease { get; } = Prepare(db, "SELECT key FROM kv WHERE lease = $l ORDER BY key", "$l");
        public SqliteCommand Upsert { get; } = Prepare(db, """
            INSERT INTO kv (key, value, create_rev, mod_rev, version, lease) VALUES ($k, $v, $rev, $rev, 1, $l)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = version + 1,
                lease = excluded.lease
            """, "$k", "$v", "$rev", "$l");
        public SqliteCommand DeleteKey { get; } = Prepare(db, "DELETE FROM kv WHERE key = $k", "$k");
        public SqliteCommand AddHistory { get; } = Prepare(db, 
            "INSERT INTO history (rev, sub, kind, key, value) VALUES ($rev, $sub, $kind, $k, $v)", "$rev", "$sub", "$kind", "$k", "$v");
        public SqliteCommand ReadHistory { get; } = Prepare(db, """
            SELECT rev, kind, key, value FROM history
            WHERE rev >= $from AND rev <= $to AND key >= $lo AND ($hi IS NULL OR key < $hi) ORDER BY rev, sub
            """, "$from", "$to", "$lo", "$hi");
        public SqliteCommand CompactHistory { get; } = Prepare(db, "DELETE FROM history WHERE rev <= $rev", "$rev");
        public SqliteCommand GetCounter { get; } = Prepare(db, "SELECT value FROM counters WHERE name = $n", "$n");
        public SqliteCommand SetCounter { get; } = Prepare(db, 
            "INSERT INTO counters (name, value) VALUES ($n, $v) ON CONFLICT (name) DO UPDATE SET value = excluded.value", "$n", "$v");
        public SqliteCommand InsertLease { get; } = Prepare(db, "INSERT INTO leases (id, ttl_ms, expires_ms) VALUES ($id, $ttl, $exp)", "$id", "$ttl", "$exp");
        public SqliteCommand RenewLease { get; } = Prepare(db, "UPDATE leases SET expires_ms = $now + ttl_ms WHERE id = $id", "$id", "$now");
        public SqliteCommand LeaseExists { get; } = Prepare(db, "SELECT 1 FROM leases WHERE id = $id", "$id");
        public SqliteCommand DeleteLease { get; } = Prepare(db, "DELETE FROM leases WHERE id = $id", "$id");
        public SqliteCommand ExpiredLeases { get; } = Prepare(db, "SELECT id FROM leases WHERE expires_ms <= $now ORDER BY id", "$now");
        public SqliteCommand NextExpiry { get; } = Prepare(db, "SELECT MIN(expires_ms) FROM leases");

        private static SqliteCommand Prepare(SqliteConnection db, string sql, params string[] parameters)
        {
            SqliteCommand command = db.CreateCommand();
            command.CommandText = sql;
            foreach (string name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }

            return command;
        }

        public void Dispose()
        {
            foreach (SqliteCommand command in (SqliteCommand[])[Begin, Commit, Rollback, GetKey, ScanRange, KeysInRange, KeysOfLease, Upsert, DeleteKey, AddHistory, ReadHistory, CompactHistory, GetCounter, SetCounter, InsertLease, RenewLease, LeaseExists, DeleteLease, ExpiredLeases, NextExpiry])
            {
                command.Dispose();
            }
        }
    }

    private static SqliteCommand Bind(SqliteCommand command, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }
}
