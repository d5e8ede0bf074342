namespace VectorAspire.StreamingNode;

/// <summary>
/// Channel ownership in a cluster: the Coordinator binds each pchannel to one StreamingNode. This node serves only
/// the channels it has acquired; acquiring opens the channel's WAL — which fences any earlier writer of it, so a
/// previous owner that is still alive (paused, partitioned) can never get another append acknowledged — and recovers
/// its shards from the checkpoint; releasing drains and closes it. Standalone never calls these and serves every
/// channel.
/// </summary>
public sealed partial class StreamingNodeService
{
    /// <summary>Serve only acquired channels from now on (call before <see cref="StartAsync"/>).</summary>
    public void UseChannelOwnership()
    {
        lock (_registry)
        {
            if (_started)
                throw new InvalidOperationException("channel ownership must be chosen before the streaming node starts");
            _owned ??= new HashSet<string>(StringComparer.Ordinal);
        }
    }

    /// <summary>The channels this node serves now (null in standalone: all of them).</summary>
    public IReadOnlyCollection<string>? ServedChannels
    {
        get
        {
            lock (_registry)
                return _owned is null ? null : [.. _owned];
        }
    }

    /// <summary>Takes over <paramref name="pchannel"/>: fences the previous writer, recovers its shards, starts serving.</summary>
    public async Task AcquireChannelAsync(string pchannel, CancellationToken cancellationToken)
    {
        lock (_registry)
        {
            if (_owned is null)
                throw new InvalidOperationException("UseChannelOwnership was not called");
            if (!_owned.Add(pchannel))
                return;
            _recoveringChannels.Add(pchannel);
        }

        try
        {
            // Opening first fences the old owner even when no collection uses the channel yet.
            if (await GetPChannelAsync(pchannel, cancellationToken) is null)
                return;
            try
            {
                await RecoverAsync(pchannel, cancellationToken);
            }
            finally
            {
                lock (_registry)
                    _recoveringChannels.Remove(pchannel);
            }
            // Collections created while recovery ran were skipped by SyncCollectionAsync on this channel: pick them up.
            foreach (var info in await _coordinator.ListAllCollectionsAsync(cancellationToken))
            {
                if (info.PChannels.Contains(pchannel))
                    await SyncCollectionAsync(info.CollectionId, cancellationToken);
            }
            LogChannelAcquired(pchannel);
        }
        catch
        {
            await ReleaseChannelAsync(pchannel, CancellationToken.None);
            throw;
        }
    }

    private bool IsRecovering(string pchannel)
    {
        lock (_registry)
            return _recoveringChannels.Contains(pchannel);
    }

    /// <summary>Stops serving <paramref name="pchannel"/>: queued writes are committed (or fail if fenced), then the WAL closes.</summary>
    public async Task ReleaseChannelAsync(string pchannel, CancellationToken cancellationToken)
    {
        PChannel? pc;
        lock (_registry)
        {
            _owned?.Remove(pchannel);
            _pchannels.Remove(pchannel, out pc);
        }

        if (pc is null)
            return;
        pc.Released = true;
        foreach (var shard in pc.Shards.Values)
            shard.Dropped = true; // writes still queued for it fail rather than land on a channel that is closing
        pc.Queue.Writer.TryComplete();
        if (pc.Loop is { } loop)
            await loop.WaitAsync(cancellationToken);
        await pc.Wal.DisposeAsync();
        LogChannelReleased(pchannel);
    }

    private static bool IsFenced(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is Core.Wal.WalFencedException)
                return true;
            if (e is AggregateException agg && agg.InnerExceptions.Any(IsFenced))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The set of live QueryNodes changed (cluster): loads every loaded shard's sealed segments on the nodes they are
    /// placed on now with the deletes known for them, then has each collection's indexes synced once (not once per
    /// shard). Reads of a shard fail as retryable until its segments and deletes are in place, so no search sees a
    /// segment on its new node before its deletes are replayed; until the index sync, the segments are searched exactly.
    /// </summary>
    public async Task ReloadSealedSegmentsAsync(CancellationToken cancellationToken)
    {
        List<Shard> shards;
        lock (_registry)
            shards = [.. _pchannels.Values.SelectMany(pc => pc.Shards.Values)];
        foreach (var shard in shards)
            Interlocked.Increment(ref shard.Reloading);
        // Shards reload in parallel, and each serves again as soon as its own segments and deletes are in place.
        var reloaded = await Task.WhenAll(shards.Select(shard => ReloadShardAsync(shard, cancellationToken)));
        var collections = shards.Where((_, i) => reloaded[i]).GroupBy(s => s.Info.CollectionId).Select(g => g.First().Info);
        await Task.WhenAll(collections.Select(info => SyncIndexesAsync(info, cancellationToken).AsTask()));
    }

    /// <summary>Reloads one shard's sealed segments and their deletes; false when the shard holds none loaded.</summary>
    private async Task<bool> ReloadShardAsync(Shard shard, CancellationToken cancellationToken)
    {
        try
        {
            await shard.FlushGate.WaitAsync(cancellationToken);
            try
            {
                if (!shard.SealedLoaded || shard.Dropped)
                    return false;
                await _queryNode.LoadSegmentsAsync(shard.Info, [.. shard.Sealed], cancellationToken);
                await shard.Channel.ApplyLock.WaitAsync(cancellationToken);
                try
                {
                    await ReplayDeletesOntoAsync(shard, shard.Sealed, cancellationToken);
                }
                finally
                {
                    shard.Channel.ApplyLock.Release();
                }
                return true;
            }
            finally
            {
                shard.FlushGate.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref shard.Reloading);
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Channel {Channel} was taken over by another streaming node; releasing it")]
    private partial void LogFenced(string channel);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Serving channel {Channel}")]
    private partial void LogChannelAcquired(string channel);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Released channel {Channel}")]
    private partial void LogChannelReleased(string channel);
}
