using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Coordinator;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Wal;

namespace VectorAspire.Integration.Tests;

/// <summary>
/// A flush commit carries the flushing StreamingNode's WAL ownership: a node that lost its channel (paused while it
/// moved) must not move the checkpoint past records the new owner appended but has not persisted — replay from that
/// checkpoint would skip them (the end-to-end SIGSTOP test lost acknowledged writes this way).
/// </summary>
public sealed class FlushFencingTests
{
    [Fact]
    public async Task AFlushCommitFromAWriterThatLostItsChannelIsRefusedAndLeavesTheCheckpoint()
    {
        await using var server = await TestServer.StartAsync();
        await server.OkAsync("collections/create", new { collectionName = "fenced", dimension = 4 });
        var coordinator = server.Services.GetRequiredService<CoordinatorService>();
        var store = server.Services.GetRequiredService<IMetaStore>();
        var info = (await coordinator.FindCollectionAsync("default", "fenced", CancellationToken.None))!;
        string vchannel = info.VChannels[0];
        long before = (await coordinator.GetShardStateAsync(info.CollectionId, vchannel, CancellationToken.None)).CheckpointLsn;
        await store.PutAsync("test/wal/epoch", new byte[] { 2 }, 0, CancellationToken.None); // the new owner's epoch

        var stale = new FlushCommit(info.CollectionId, vchannel, [], [], before + 100, new WalOwnershipGuard("test/wal/epoch", [1]));
        var refused = await Assert.ThrowsAsync<MilvusException>(() => coordinator.CommitFlushAsync(stale, CancellationToken.None).AsTask());
        Assert.Contains("taken over by another streaming node", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await coordinator.GetShardStateAsync(info.CollectionId, vchannel, CancellationToken.None)).CheckpointLsn);

        var owner = stale with { Fence = new WalOwnershipGuard("test/wal/epoch", [2]) };
        await coordinator.CommitFlushAsync(owner, CancellationToken.None);
        Assert.Equal(before + 100, (await coordinator.GetShardStateAsync(info.CollectionId, vchannel, CancellationToken.None)).CheckpointLsn);
    }
}
