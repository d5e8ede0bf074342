namespace VectorAspire.Core.Wal;

/// <summary>
/// The channel was opened by another writer (a newer epoch) after this one: nothing this writer appends can be
/// acknowledged any more. The append that got this error is not in the log. Reopen the channel to write again
/// (which fences the other writer in turn) — normally only after the coordinator moved the channel back here.
/// </summary>
public sealed class WalFencedException(string channel, long epoch, long currentEpoch)
    : IOException($"WAL channel '{channel}' was taken over by writer epoch {currentEpoch}; this writer (epoch {epoch}) is fenced and can no longer append")
{
    public string Channel { get; } = channel;

    public long Epoch { get; } = epoch;

    public long CurrentEpoch { get; } = currentEpoch;
}
