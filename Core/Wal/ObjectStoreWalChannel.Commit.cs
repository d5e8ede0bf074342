using System.Buffers;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

public sealed partial class ObjectStoreWalChannel
{
    /// <summary>Takes ownership of the channel (fencing every earlier writer), loads its fragment list and cleans up.</summary>
    internal static async Task<ObjectStoreWalChannel> OpenAsync(string name, ObjectStoreWal.ChannelKeys keys, IObjectStore objects,
        IMetaStore meta, ObjectStoreWalOptions options, ObjectStoreWal? owner, CancellationToken cancellationToken)
    {
        long epoch = await AcquireEpochAsync(name, keys, meta, options, cancellationToken);
        byte[] epochValue = ObjectStoreWal.EncodeLong(epoch);
        KeyValue? trunc = await meta.GetAsync(keys.TruncKey, cancellationToken);
        long firstLsn = trunc is null ? 0 : ObjectStoreWal.DecodeLong(keys.TruncKey, trunc.Value);

        var live = new List<WalFragmentRef>();
        var stale = new List<string>();
        foreach (KeyValue kv in await meta.ScanPrefixAsync(keys.FragmentPrefix, cancellationToken))
        {
            WalFragmentRef fragment = WalFragmentRef.Decode(kv.Key, kv.Value);
            if (fragment.EndLsn <= firstLsn)
            {
                stale.Add(kv.Key); // left by a truncation interrupted after it moved the truncation point
                continue;
            }

            long expected = live.Count > 0 ? live[^1].EndLsn : firstLsn;
            if (fragment.FirstLsn != expected || kv.Key != keys.FragmentKey(fragment.FirstLsn))
            {
                throw new WalCorruptedException(
                    $"WAL channel '{name}' is not contiguous: expected a fragment at LSN {expected}, found '{kv.Key}' holding LSNs {fragment.FirstLsn}..{fragment.EndLsn - 1}");
            }

            live.Add(fragment);
        }

        for (int i = 0; i < stale.Count; i += MaxOpsPerTxn)
        {
            var ops = new List<TxnOp>();
            for (int j = i; j < Math.Min(stale.Count, i + MaxOpsPerTxn); j++)
            {
                ops.Add(TxnOp.Delete(stale[j]));
            }

            await CommitAsync(meta, name, keys, epoch, epochValue, ops, cancellationToken);
        }

        // Objects no entry references are uploads that never committed (or were truncated): no writer can commit
        // them any more, because every earlier epoch is fenced and this epoch has not written yet.
        var referenced = new HashSet<string>(live.Count, StringComparer.Ordinal);
        foreach (WalFragmentRef fragment in live)
        {
            referenced.Add(keys.ObjectKey(fragment));
        }

        var orphans = new List<string>();
        await foreach (ObjectInfo info in objects.ListAsync(keys.ObjectDirectory, cancellationToken))
        {
            ReadOnlySpan<char> file = info.Key.AsSpan(keys.ObjectDirectory.Length);
            if (!referenced.Contains(info.Key) && WalFragmentFormat.TryParseObjectName(file, out _, out long objectEpoch) && objectEpoch < epoch)
            {
                orphans.Add(info.Key);
            }
        }

        foreach (string orphan in orphans)
        {
            await objects.DeleteAsync(orphan, cancellationToken);
        }

        return new ObjectStoreWalChannel(name, keys, objects, meta, options, owner, epoch, live, firstLsn);
    }

    /// <summary>Moves the channel's epoch one up by compare-and-swap; returns the new epoch, which this writer owns.</summary>
    private static async Task<long> AcquireEpochAsync(string name, ObjectStoreWal.ChannelKeys keys, IMetaStore meta,
        ObjectStoreWalOptions options, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < options.OpenAttempts; attempt++)
        {
            KeyValue? current = await meta.GetAsync(keys.EpochKey, cancellationToken);
            long epoch = current is null ? 1 : ObjectStoreWal.DecodeLong(keys.EpochKey, current.Value) + 1;
            TxnCompare guard = current is null ? TxnCompare.KeyAbsent(keys.EpochKey) : TxnCompare.ModRevisionIs(keys.EpochKey, current.ModRevision);
            TxnResult result = await meta.TxnAsync([guard], [TxnOp.Put(keys.EpochKey, ObjectStoreWal.EncodeLong(epoch))], [], cancellationToken);
            if (result.Succeeded)
            {
                return epoch;
            }
        }

        throw new IOException($"WAL channel '{name}': could not take ownership after {options.OpenAttempts} attempts (other writers keep opening it)");
    }

    private Task CommitOwnedAsync(List<TxnOp> ops, CancellationToken cancellationToken) =>
        CommitAsync(_meta, Name, _keys, Epoch, _epochValue, ops, cancellationToken);

    /// <summary>Applies <paramref name="ops"/> only while <paramref name="epoch"/> owns the channel; else throws <see cref="WalFencedException"/>.</summary>
    private static async Task CommitAsync(IMetaStore meta, string name, ObjectStoreWal.ChannelKeys keys, long epoch, byte[] epochValue,
        List<TxnOp> ops, CancellationToken cancellationToken)
    {
        TxnCompare owned = new(keys.EpochKey, CompareTarget.Value, CompareOp.Equal, 0, epochValue);
        TxnResult result = await meta.TxnAsync([owned], ops, [], cancellationToken);
        if (!result.Succeeded)
        {
            KeyValue? current = await meta.GetAsync(keys.EpochKey, CancellationToken.None);
            throw new WalFencedException(name, epoch, current is null ? 0 : ObjectStoreWal.DecodeLong(keys.EpochKey, current.Value));
        }
    }

    private async Task WriterLoopAsync()
    {
        bool closing = false;
        while (true)
        {
            // Once closing, no append can be queued any more: drain what is there without waiting for a signal.
            if (!closing)
            {
                await _work.WaitAsync();
            }

            Exception? fault;
            lock (_lock)
            {
                (_batch, _queue) = (_queue, _batch);
                closing = _closing;
                fault = _fault;
            }

            if (_batch.Count == 0)
            {
                if (closing)
                {
                    return;
                }

                continue;
            }

            int start = 0;
            while (start < _batch.Count)
            {
                int end = start;
                long bytes = 0;
                do
                {
                    bytes += _batch[end].Payload.Length;
                    end++;
                }
                while (end < _batch.Count && bytes + _batch[end].Payload.Length <= _options.MaxFragmentBytes);

                if (fault is null)
                {
                    try
                    {
                        WalFragmentRef committed = await CommitFragmentAsync(start, end, bytes);
                        lock (_lock)
                        {
                            _fragments.Add(committed);
                            _durableLsn = committed.EndLsn;
                        }
                    }
                    catch (Exception e)
                    {
                        fault = e;
                        lock (_lock)
                        {
                            _fault ??= e;
                        }
                    }
                }

                for (int i = start; i < end; i++)
                {
                    if (fault is null)
                    {
                        _batch[i].Completion.SetResult(_batch[i].Lsn);
                    }
                    else
                    {
                        _batch[i].Completion.SetException(fault);
                    }
                }

                start = end;
            }

            _batch.Clear(); // drops the references to callers' payloads
        }
    }

    /// <summary>Uploads records [start, end) of the batch as one fragment object, then commits its entry.</summary>
    private async Task<WalFragmentRef> CommitFragmentAsync(int start, int end, long payloadBytes)
    {
        int count = end - start;
        long firstLsn = _batch[start].Lsn;
        int size = WalFragmentFormat.EncodedSize(payloadBytes, count);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            WalFragmentFormat.WriteHeader(buffer, firstLsn, count, Epoch);
            int offset = WalFragmentFormat.HeaderSize;
            for (int i = start; i < end; i++)
            {
                ReadOnlySpan<byte> payload = _batch[i].Payload.Span;
                WalSegmentFormat.WriteRecordHeader(buffer.AsSpan(offset), payload);
                offset += WalSegmentFormat.RecordHeaderSize;
                payload.CopyTo(buffer.AsSpan(offset));
                offset += payload.Length;
            }

            uint crc = WalFragmentFormat.WriteTrailer(buffer.AsSpan(0, size));
            var fragment = new WalFragmentRef(firstLsn, count, Epoch, size, crc);
            string objectKey = _keys.ObjectKey(fragment);
            await _objects.PutAsync(objectKey, buffer.AsMemory(0, size), CancellationToken.None);
            string entryKey = _keys.FragmentKey(firstLsn);
            TxnCompare owned = new(_keys.EpochKey, CompareTarget.Value, CompareOp.Equal, 0, _epochValue);
            TxnResult result = await _meta.TxnAsync([owned, TxnCompare.KeyAbsent(entryKey)], [TxnOp.Put(entryKey, fragment.Encode())], [], CancellationToken.None);
            if (!result.Succeeded)
            {
                KeyValue? current = await _meta.GetAsync(_keys.EpochKey, CancellationToken.None);
                long currentEpoch = current is null ? 0 : ObjectStoreWal.DecodeLong(_keys.EpochKey, current.Value);
                if (currentEpoch != Epoch)
                {
                    // The upload can never be committed now; remove it rather than leave it for the next open.
                    await _objects.DeleteAsync(objectKey, CancellationToken.None);
                    throw new WalFencedException(Name, Epoch, currentEpoch);
                }

                throw new WalCorruptedException($"WAL channel '{Name}' already has a fragment at LSN {firstLsn} written under this writer's epoch {Epoch}");
            }

            return fragment;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
