using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Segments;

namespace VectorAspire.StreamingNode;

public sealed partial class StreamingNodeService
{
    public async ValueTask<ulong> WriteAsync(ShardWrite write, CancellationToken cancellationToken)
    {
        var shard = RequireShard(write.CollectionId, write.Shard);
        if (!_started)
            throw new MilvusException(ErrorCodes.ServiceNotReady, "the streaming node is not running");
        var pending = new PendingWrite(write, shard);
        if (!shard.Channel.Queue.Writer.TryWrite(pending))
            throw new MilvusException(ErrorCodes.ServiceNotReady, "the streaming node is shutting down");
        // Not cancellable once queued: the write may already be durable, and the caller must learn its outcome.
        return await pending.Done.Task;
    }

    /// <summary>
    /// Group commit: take every queued write, stamp consecutive timestamps, append all to the WAL, wait for the one
    /// flush that makes them durable, apply them in order, then acknowledge.
    /// </summary>
    private async Task WriterLoopAsync(PChannel pc)
    {
        var batch = new List<PendingWrite>(_options.MaxBatch);
        var reader = pc.Queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var w))
                batch.Add(w);
            var sealCandidates = new List<Shard>();
            await pc.ApplyLock.WaitAsync();
            try
            {
                await CommitBatchAsync(pc, batch, sealCandidates);
            }
            catch (Exception ex) when (IsFenced(ex))
            {
                // Another node took the channel over (cluster): a write the WAL never acknowledged provably did not
                // happen, so it fails as retryable for the router to send to the new owner; one that was appended
                // is in the log the new owner replays, so its outcome is reported as unknown, never as "not applied".
                LogFenced(pc.Name);
                foreach (var w in batch)
                {
                    w.Done.TrySetException(w.Appended
                        ? new MilvusException(ErrorCodes.ServiceInternal, $"write outcome unknown: channel {pc.Name} moved to another node while it committed", ex)
                        : new MilvusException(ErrorCodes.ServiceNotReady, $"channel {pc.Name} moved to another streaming node; retry"));
                }
                _ = Task.Run(() => ReleaseChannelAsync(pc.Name, CancellationToken.None));
            }
            catch (Exception ex)
            {
                LogCommitFailed(ex, pc.Name);
                foreach (var w in batch)
                    w.Done.TrySetException(new MilvusException(ErrorCodes.ServiceInternal, $"write failed: {ex.Message}", ex));
            }
            finally
            {
                pc.ApplyLock.Release();
            }
            foreach (var shard in sealCandidates)
                _ = FlushInBackground(shard);
        }
    }

    private async Task CommitBatchAsync(PChannel pc, List<PendingWrite> batch, List<Shard> sealCandidates)
    {
        // Writes for shards dropped while queued fail without touching the WAL.
        var live = new List<PendingWrite>(batch.Count);
        foreach (var w in batch)
        {
            if (pc.Released)
                w.Done.TrySetException(new MilvusException(ErrorCodes.ServiceNotReady, $"channel {pc.Name} is moving to another streaming node; retry"));
            else if (w.Shard.Dropped)
                w.Done.TrySetException(MilvusErrors.CollectionNotFound(w.Shard.Info.Name));
            else
                live.Add(w);
        }
        if (live.Count == 0)
            return;
        ulong ts0 = await _coordinator.AllocateTimestampAsync(live.Count, CancellationToken.None);
        var appends = new Task<long>[live.Count];
        for (int i = 0; i < live.Count; i++)
        {
            var payload = WalEntryCodec.Encode(live[i].Write, ts0 + (ulong)i, live[i].Shard.Info.Schema);
            appends[i] = pc.Wal.AppendAsync(payload, CancellationToken.None).AsTask();
        }
        var lsns = new long[live.Count];
        for (int i = 0; i < live.Count; i++)
        {
            lsns[i] = await appends[i];
            live[i].Appended = true;
        }
        for (int i = 0; i < live.Count; i++)
        {
            var w = live[i];
            ulong ts = ts0 + (ulong)i;
            await ApplyAsync(w.Shard, w.Write, ts, lsns[i], CancellationToken.None);
            if (NeedsSeal(w.Shard) && !sealCandidates.Contains(w.Shard))
                sealCandidates.Add(w.Shard);
        }
        pc.AdvanceServiceable(ts0 + (ulong)(live.Count - 1));
        for (int i = 0; i < live.Count; i++)
            live[i].Done.TrySetResult(ts0 + (ulong)i);
    }

    /// <summary>Applies one logged write to the shard (under the apply lock; also used by WAL replay).</summary>
    private async ValueTask ApplyAsync(Shard shard, ShardWrite write, ulong ts, long lsn, CancellationToken cancellationToken)
    {
        shard.FirstUnpersistedLsn ??= lsn;
        if (shard.OldestUnpersisted == DateTimeOffset.MaxValue)
            shard.OldestUnpersisted = _time.GetUtcNow();
        if (write.DeleteKeys is { } keys && keys.Count > 0)
            await ApplyDeletesAsync(shard, keys, ts, write.DeletePartitionId, cancellationToken);
        if (write.Rows is { } rows && rows.RowCount > 0)
        {
            if (!shard.Growing.TryGetValue(write.PartitionId, out var growing))
            {
                long segmentId = await _coordinator.AllocateIdsAsync(1, cancellationToken);
                growing = new GrowingSegment(segmentId, shard.CollectionId, write.PartitionId, shard.VChannel, shard.Info.Schema, _options.GrowingBlockRows);
                shard.Growing[write.PartitionId] = growing;
                shard.PublishView();
            }
            growing.Append(rows, ts);
        }
    }

    private async ValueTask ApplyDeletesAsync(Shard shard, Column keys, ulong ts, long partitionId, CancellationToken cancellationToken)
    {
        var scratch = new List<int>();
        var view = shard.View;
        for (int i = 0; i < keys.Count; i++)
        {
            var pk = PrimaryKey.FromColumn(keys, i);
            foreach (var seg in view.Growing)
            {
                if (partitionId == 0 || seg.PartitionId == partitionId)
                    seg.ApplyDelete(pk, ts, scratch);
            }
            var record = new DeleteRecord(pk, ts, partitionId);
            shard.PendingDeletes.Add(record);
            shard.KnownDeletes.Add(record);
        }
        if (shard.SealedLoaded && view.Sealed.Count > 0)
        {
            var targets = view.Sealed.Where(s => partitionId == 0 || s.PartitionId == partitionId).Select(s => s.SegmentId).ToList();
            if (targets.Count > 0)
            {
                var ts1 = new ulong[keys.Count];
                ts1.AsSpan().Fill(ts);
                await _queryNode.ApplyDeletesAsync(shard.CollectionId, targets, keys, ts1, cancellationToken);
            }
        }
    }

    private bool NeedsSeal(Shard shard)
    {
        foreach (var g in shard.Growing.Values)
        {
            if (g.RowCount >= _options.SealRows || g.DataBytes >= _options.SealBytes)
                return true;
        }
        return false;
    }

    private async Task FlushInBackground(Shard shard)
    {
        try
        {
            await FlushShardAsync(shard, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogFlushFailed(ex, shard.VChannel);
        }
    }

    public async ValueTask FlushAsync(long collectionId, CancellationToken cancellationToken)
    {
        // Shards flush in parallel: each has its own gate, and its WAL channel's lock is taken only briefly.
        await Task.WhenAll(ShardsOf(collectionId).Select(shard => FlushShardAsync(shard, cancellationToken)));
    }

    /// <summary>
    /// Seals the shard's growing segments and writes them and the pending deletes to the object store, commits them
    /// with the new checkpoint, loads them on the QueryNode if the collection is loaded, then swaps them into the
    /// shard's view and truncates the WAL below what every shard on the channel has persisted.
    /// </summary>
    private async Task FlushShardAsync(Shard shard, CancellationToken cancellationToken)
    {
        var pc = shard.Channel;
        await shard.FlushGate.WaitAsync(cancellationToken);
        try
        {
            List<GrowingSegment> toFlush;
            List<DeleteRecord> deletes;
            long lsnUpTo;
            long? firstUnpersisted;
            await pc.ApplyLock.WaitAsync(cancellationToken);
            try
            {
                if (shard.Dropped)
                    return;
                // Flushes are serialized by the gate, so segments still in Flushing were left by a flush that
                // failed (a DataNode or the Coordinator was unreachable): this flush persists them too.
                var fresh = shard.Growing.Values.Where(g => g.RowCount > 0).ToList();
                toFlush = [.. shard.Flushing, .. fresh];
                shard.Flushing.AddRange(fresh);
                shard.Growing.Clear();
                deletes = shard.PendingDeletes;
                shard.PendingDeletes = [];
                lsnUpTo = pc.Wal.NextLsn;
                firstUnpersisted = shard.FirstUnpersistedLsn;
                shard.FirstUnpersistedLsn = null;
                shard.OldestUnpersisted = DateTimeOffset.MaxValue;
                shard.PublishView();
            }
            finally
            {
                pc.ApplyLock.Release();
            }
            if (toFlush.Count == 0 && deletes.Count == 0 && shard.CheckpointLsn == lsnUpTo)
                return;

            var infos = new List<SegmentInfo>();
            long rows = 0;
            try
            {
                foreach (var g in toFlush)
                {
                    var (block, insertTs, _) = g.Snapshot();
                    infos.Add(await _dataNode.WriteSegmentAsync(shard.Info, g.SegmentId, g.PartitionId, shard.VChannel, block, insertTs, cancellationToken));
                    rows += block.RowCount;
                }
                var deltas = new List<DeltaInfo>();
                foreach (var group in deletes.GroupBy(d => d.PartitionId))
                {
                    var list = group.ToList();
                    long deltaId = await _coordinator.AllocateIdsAsync(1, cancellationToken);
                    deltas.Add(await _dataNode.WriteDeltaAsync(shard.Info, deltaId, shard.VChannel, group.Key,
                        Shard.KeysColumn(shard.Info, list), [.. list.Select(d => d.Ts)], cancellationToken));
                }
                // Writing the same segment again rewrites the same objects and catalog keys; a delta committed by a
                // failed attempt and again now only repeats deletes, which apply idempotently.
                // Conditional on this node still owning the channel's WAL: a node that lost it (paused, cut off) must
                // not move the checkpoint past records the new owner appended and has not persisted yet.
                await _coordinator.CommitFlushAsync(new FlushCommit(shard.CollectionId, shard.VChannel, infos, deltas, lsnUpTo, pc.Wal.OwnershipGuard), cancellationToken);
            }
            catch
            {
                // Nothing is lost: the segments stay in Flushing (still read, retried by the next flush), the deletes go
                // back to pending, and the WAL is not truncated past the old checkpoint.
                await pc.ApplyLock.WaitAsync(CancellationToken.None);
                try
                {
                    shard.PendingDeletes.InsertRange(0, deletes);
                    if (firstUnpersisted is { } first)
                        shard.FirstUnpersistedLsn = shard.FirstUnpersistedLsn is { } now ? Math.Min(now, first) : first;
                }
                finally
                {
                    pc.ApplyLock.Release();
                }
                throw;
            }

            bool loaded = shard.SealedLoaded;
            if (loaded && infos.Count > 0)
                await _queryNode.LoadSegmentsAsync(shard.Info, infos, cancellationToken);
            await pc.ApplyLock.WaitAsync(cancellationToken);
            try
            {
                if (loaded && shard.SealedLoaded)
                    await ReplayDeletesOntoAsync(shard, infos, cancellationToken);
                else if (loaded && infos.Count > 0)
                    await _queryNode.ReleaseSegmentsAsync(shard.CollectionId, [.. infos.Select(i => i.SegmentId)], cancellationToken);
                shard.Sealed.AddRange(infos);
                foreach (var g in toFlush)
                    shard.Flushing.Remove(g);
                shard.CheckpointLsn = lsnUpTo;
                shard.PublishView();
            }
            finally
            {
                pc.ApplyLock.Release();
            }
            LogFlushed(shard.VChannel, infos.Count, rows, deletes.Count, lsnUpTo);
        }
        finally
        {
            shard.FlushGate.Release();
        }
        await TruncateWalAsync(pc, cancellationToken);
    }

    /// <summary>Drops WAL files below the lowest LSN some shard on the channel still needs.</summary>
    private async ValueTask TruncateWalAsync(PChannel pc, CancellationToken cancellationToken)
    {
        long point;
        await pc.ApplyLock.WaitAsync(cancellationToken);
        try
        {
            point = pc.Wal.NextLsn;
            foreach (var s in pc.Shards.Values)
            {
                if (s.FirstUnpersistedLsn is { } first)
                    point = Math.Min(point, first);
                point = Math.Min(point, s.Flushing.Count > 0 ? s.CheckpointLsn : point);
            }
        }
        finally
        {
            pc.ApplyLock.Release();
        }
        await pc.Wal.TruncateBeforeAsync(point, cancellationToken);
    }

    private async Task SealByAgeLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CheckInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = _time.GetUtcNow();
            List<Shard> due = [];
            lock (_registry)
            {
                foreach (var pc in _pchannels.Values)
                {
                    foreach (var s in pc.Shards.Values)
                    {
                        if (now - s.OldestUnpersisted >= _options.SealAfter)
                            due.Add(s);
                    }
                }
            }
            foreach (var s in due)
                await FlushInBackground(s);
        }
    }
}
