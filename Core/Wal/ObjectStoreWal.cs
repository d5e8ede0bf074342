using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

/// <summary>
/// <see cref="IWal"/> with no disk and no broker (the design's "zero-disk" WAL): each channel's records are
/// group-committed into immutable fragment objects in the object store (<see cref="WalFragmentFormat"/>), and the
/// log itself — the list of committed fragments, the truncation point and the writer's epoch — lives in the meta
/// store, where it moves only by compare-and-swap.
/// <para>
/// Meta-store keys under <see cref="ObjectStoreWalOptions.MetaPrefix"/>:
/// <c>{channel}/epoch</c> (i64 LE: the owning writer's epoch), <c>{channel}/trunc</c> (i64 LE: the first LSN still
/// stored) and <c>{channel}/frag/{firstLsn:D20}</c> (a <see cref="WalFragmentRef"/>). Objects:
/// <c>{ObjectPrefix}{channel}/{firstLsn:D20}-{epoch:D10}.frag</c>.
/// </para>
/// <para>
/// Fencing: opening a channel increments its epoch (CAS), and every commit is a transaction conditioned on the epoch
/// still being the writer's own, so once another process has opened the channel nothing the old writer appends can
/// be acknowledged (it gets <see cref="WalFencedException"/>). A fragment object that was uploaded but never
/// committed is unreachable and is deleted by the next open. Opening an already open channel in this instance
/// returns the same channel.
/// </para>
/// </summary>
public sealed class ObjectStoreWal : IWal
{
    private readonly IObjectStore _objects;
    private readonly IMetaStore _meta;
    private readonly ObjectStoreWalOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task<ObjectStoreWalChannel>> _channels = new(StringComparer.Ordinal);
    private bool _disposed;

    public ObjectStoreWal(IObjectStore objects, IMetaStore meta, ObjectStoreWalOptions? options = null)
    {
        _objects = objects;
        _meta = meta;
        _options = options ?? new ObjectStoreWalOptions();
        _options.Validate();
    }

    public async ValueTask<IWalChannel> OpenChannelAsync(string name, CancellationToken cancellationToken)
    {
        LocalWal.ValidateChannelName(name);
        cancellationToken.ThrowIfCancellationRequested();
        Task<ObjectStoreWalChannel> opening;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // A retired instance (closing, or fenced by another writer) is never handed out again: the caller gets a
            // fresh open, which fences the other writer in turn and reloads the fragment list. Handing it out would
            // let a node that re-acquires a channel replay a stale fragment list and miss what the other one wrote.
            if (!_channels.TryGetValue(name, out opening!) || opening.IsFaulted || opening.IsCanceled
                || (opening.IsCompletedSuccessfully && opening.Result.IsRetired))
            {
                opening = ObjectStoreWalChannel.OpenAsync(name, Keys(name), _objects, _meta, _options, this, cancellationToken);
                _channels[name] = opening;
            }
        }

        return await opening.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Reads a channel without owning it (no fencing): every committed record from <paramref name="fromLsn"/> on,
    /// then — when <paramref name="follow"/> — each new fragment as its writer commits it, until cancelled. This is how
    /// a node that does not write a channel tails it.
    /// </summary>
    public async IAsyncEnumerable<WalRecord> ReadChannelAsync(string name, long fromLsn, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LocalWal.ValidateChannelName(name);
        ChannelKeys keys = Keys(name);
        long next = fromLsn;
        bool positioned = false; // true once `next` is the end of a fragment seen, so a later gap is an error
        long revision = await _meta.GetRevisionAsync(cancellationToken);
        foreach (KeyValue kv in await _meta.ScanPrefixAsync(keys.FragmentPrefix, cancellationToken))
        {
            WalFragmentRef fragment = WalFragmentRef.Decode(kv.Key, kv.Value);
            if (fragment.EndLsn > next)
            {
                await foreach (WalRecord record in ReadFragmentAsync(_objects, keys, fragment, next, cancellationToken))
                {
                    yield return record;
                }

                next = fragment.EndLsn;
            }

            positioned = true;
        }

        if (!follow)
        {
            yield break;
        }

        // Fragments committed between the revision read and the scan arrive twice; the LSN check drops the repeat.
        await foreach (WatchEvent change in _meta.WatchAsync(keys.FragmentPrefix, revision + 1, cancellationToken))
        {
            if (change.Kind != WatchEventKind.Put)
            {
                continue;
            }

            WalFragmentRef fragment = WalFragmentRef.Decode(change.Key, change.Value);
            if (fragment.EndLsn <= next)
            {
                continue;
            }

            if (positioned && fragment.FirstLsn > next)
            {
                throw new WalCorruptedException($"WAL channel '{name}' skipped from LSN {next} to {fragment.FirstLsn}");
            }

            await foreach (WalRecord record in ReadFragmentAsync(_objects, keys, fragment, next, cancellationToken))
            {
                yield return record;
            }

            next = fragment.EndLsn;
            positioned = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<ObjectStoreWalChannel>[] channels;
        lock (_lock)
        {
            _disposed = true;
            channels = [.. _channels.Values];
        }

        foreach (Task<ObjectStoreWalChannel> opening in channels)
        {
            if (opening.IsCompletedSuccessfully)
            {
                await opening.Result.DisposeAsync();
            }
            else
            {
                try
                {
                    await (await opening).DisposeAsync();
                }
                catch (Exception) when (opening.IsFaulted || opening.IsCanceled)
                {
                    // Its open already failed and was reported to the caller that asked for it.
                }
            }
        }
    }

    internal void OnChannelClosed(ObjectStoreWalChannel channel)
    {
        lock (_lock)
        {
            if (_channels.TryGetValue(channel.Name, out Task<ObjectStoreWalChannel>? current)
                && current.IsCompletedSuccessfully && ReferenceEquals(current.Result, channel))
            {
                _channels.Remove(channel.Name);
            }
        }
    }

    /// <summary>Records of <paramref name="fragment"/> with LSN ≥ <paramref name="fromLsn"/>, after checking the whole object.</summary>
    internal static async IAsyncEnumerable<WalRecord> ReadFragmentAsync(IObjectStore objects, ChannelKeys keys, WalFragmentRef fragment,
        long fromLsn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string key = keys.ObjectKey(fragment);
        byte[] bytes = await objects.GetAsync(key, cancellationToken)
            ?? throw new WalCorruptedException($"WAL fragment '{key}' holding LSNs {fragment.FirstLsn}..{fragment.EndLsn - 1} is missing from the object store");
        WalFragmentFormat.Validate(key, bytes, fragment);
        int offset = WalFragmentFormat.HeaderSize;
        for (int i = 0; i < fragment.Count; i++)
        {
            offset = WalFragmentFormat.ReadRecord(key, bytes, offset, out int payloadOffset, out int payloadLength);
            long lsn = fragment.FirstLsn + i;
            if (lsn >= fromLsn)
            {
                yield return new WalRecord(lsn, bytes.AsMemory(payloadOffset, payloadLength));
            }
        }

        if (offset != bytes.Length - WalFragmentFormat.TrailerSize)
        {
            throw new WalCorruptedException($"WAL fragment '{key}' has bytes after its last record");
        }
    }

    private ChannelKeys Keys(string name) => new(
        _options.MetaPrefix + name + "/epoch",
        _options.MetaPrefix + name + "/trunc",
        _options.MetaPrefix + name + "/frag/",
        _options.ObjectPrefix + name + "/");

    internal static byte[] EncodeLong(long value)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        return b;
    }

    internal static long DecodeLong(string key, byte[] value) => value.Length == 8
        ? BinaryPrimitives.ReadInt64LittleEndian(value)
        : throw new WalCorruptedException($"WAL meta key '{key}' holds {value.Length} bytes, expected 8");

    internal readonly record struct ChannelKeys(string EpochKey, string TruncKey, string FragmentPrefix, string ObjectDirectory)
    {
        public string FragmentKey(long firstLsn) => FragmentPrefix + firstLsn.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);

        public string ObjectKey(in WalFragmentRef fragment) => ObjectDirectory + WalFragmentFormat.ObjectName(fragment.FirstLsn, fragment.Epoch);
    }
}
