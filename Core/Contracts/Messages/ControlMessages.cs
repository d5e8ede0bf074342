namespace VectorAspire.Core.Contracts.Messages;

// The control-flow messages of the bus (see IControlBus). MassTransit requires message types to live in a namespace.
// Catalog records travel as their catalog JSON (CatalogJson), so a message carries exactly what the catalog holds.

/// <summary>
/// Command (competing consumers: any one DataNode): build one index over one sealed segment and write it under a key
/// that includes <paramref name="BuildId"/>, so two runs of the same job never overwrite each other's file.
/// </summary>
public sealed record BuildSegmentIndex(long CollectionId, long SegmentId, string IndexName, long BuildId,
    string CollectionJson, string SegmentJson, string IndexJson);

/// <summary>Event: a build finished; the Coordinator commits it to the catalog unless an equal one is there already.</summary>
public sealed record SegmentIndexBuilt(long CollectionId, long SegmentId, string IndexName, long BuildId, string SegmentIndexJson);

/// <summary>Event: a build failed for a reason that a retry would not fix (the index is marked failed with it).</summary>
public sealed record SegmentIndexBuildFailed(long CollectionId, long SegmentId, string IndexName, long BuildId, string IndexJson, string Reason);

/// <summary>Event: a shard's flush was committed: new sealed segments that may need index builds.</summary>
public sealed record SegmentsFlushed(long CollectionId, string VChannel, long[] SegmentIds, long CheckpointLsn);

/// <summary>Event: a node registered and serves.</summary>
public sealed record NodeJoined(string Role, string NodeId, string Address);

/// <summary>Event: a node left, cleanly (it said so) or not (its registration lease expired).</summary>
public sealed record NodeLeft(string Role, string NodeId, string Reason);
