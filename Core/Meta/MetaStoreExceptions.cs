namespace VectorAspire.Core.Meta;

/// <summary>A watch asked for history the store no longer keeps; re-read the current state and watch from its revision.</summary>
public sealed class RevisionCompactedException(long requestedRevision, long compactedRevision)
    : Exception($"revision {requestedRevision} has been compacted (history is kept after revision {compactedRevision}); " +
        "scan the current state and watch from GetRevisionAsync() + 1")
{
    public long RequestedRevision { get; } = requestedRevision;

    public long CompactedRevision { get; } = compactedRevision;
}

/// <summary>A put named a lease that does not exist (never granted, expired or revoked).</summary>
public sealed class LeaseNotFoundException(long leaseId)
    : Exception($"lease {leaseId} does not exist (expired or revoked); grant a new lease")
{
    public long LeaseId { get; } = leaseId;
}

/// <summary>
/// A transaction has more compares or ops per branch than the store accepts (etcd's --max-txn-ops, 128 by default).
/// Split the work into several transactions, or guard it with one CAS key.
/// </summary>
public sealed class TransactionTooLargeException(string part, int count, int limit)
    : Exception($"transaction has {count} {part}; at most {limit} are allowed per transaction (etcd --max-txn-ops); " +
        "split it into smaller transactions")
{
    public int Count { get; } = count;

    public int Limit { get; } = limit;
}

/// <summary>
/// Limits of the cluster meta store. The etcd provider enforces them; the embedded SQLite provider does not (yet),
/// so code that must also run on a cluster keeps each transaction within them.
/// </summary>
public static class MetaStoreLimits
{
    /// <summary>Most compares, success ops or failure ops in one transaction: etcd's default --max-txn-ops.</summary>
    public const int MaxTxnOps = 128;

    /// <summary>Throws <see cref="TransactionTooLargeException"/> when a part of a transaction exceeds <paramref name="limit"/>.</summary>
    public static void CheckTxnSize(int compares, int onSuccess, int onFailure, int limit = MaxTxnOps)
    {
        CheckPart("compares", compares, limit);
        CheckPart("success ops", onSuccess, limit);
        CheckPart("failure ops", onFailure, limit);
    }

    private static void CheckPart(string part, int count, int limit)
    {
        if (count > limit)
        {
            throw new TransactionTooLargeException(part, count, limit);
        }
    }
}
