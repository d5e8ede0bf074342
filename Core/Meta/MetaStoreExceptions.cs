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
