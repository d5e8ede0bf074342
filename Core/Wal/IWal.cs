namespace VectorAspire.Core.Wal;

/// <summary>A write-ahead log made of independent named channels (Milvus pchannels).</summary>
public interface IWal : IAsyncDisposable
{
    /// <summary>Opens (creating if needed) a channel. Opening recovers it: a torn tail is detected and truncated.</summary>
    ValueTask<IWalChannel> OpenChannelAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// One ordered, durable log. Records get consecutive positions (LSNs) in the order <see cref="AppendAsync"/> is
/// called; the returned task completes only once the record is durable (fsynced), so an acknowledged record
/// survives a crash. Concurrent appends are group-committed: one flush covers every record written before it.
/// </summary>
public interface IWalChannel : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Position the next appended record will get.</summary>
    long NextLsn { get; }

    /// <summary>Appends one record. The LSN is assigned synchronously (call order); the task completes when durable.</summary>
    ValueTask<long> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Records with LSN ≥ <paramref name="fromLsn"/> that were durable when the read started, in order.</summary>
    IAsyncEnumerable<WalRecord> ReadAsync(long fromLsn, CancellationToken cancellationToken);

    /// <summary>Allows removal of every record below <paramref name="lsn"/> (whole files only; the checkpoint).</summary>
    ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken);

    /// <summary>
    /// The meta-store condition that holds exactly while this writer owns the channel (its writer epoch), or null for
    /// a WAL without fencing (local files, one process). Catalog commits derived from this channel's contents (flush
    /// checkpoints) are made conditional on it, so a writer that lost the channel cannot move the checkpoint either.
    /// </summary>
    WalOwnershipGuard? OwnershipGuard => null;
}

public readonly record struct WalRecord(long Lsn, ReadOnlyMemory<byte> Payload);

/// <summary>A WAL file is damaged somewhere other than its tail (a torn tail is repaired, not reported).</summary>
public sealed class WalCorruptedException(string message) : Exception(message);

/// <summary>Meta-store key and value that are equal while a writer owns its channel.</summary>
public sealed record WalOwnershipGuard(string Key, byte[] Value);
