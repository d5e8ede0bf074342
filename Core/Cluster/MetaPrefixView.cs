using System.Collections.Immutable;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// A live copy of every key under a meta-store prefix: loaded once, then kept current by a watch from the revision
/// of the load; if the watch breaks (store restarted, history compacted) the whole prefix is reloaded and watched
/// again from there, so no change is ever missed for good. Readers get immutable snapshots without locking.
/// </summary>
public sealed class MetaPrefixView<T> : IAsyncDisposable
    where T : class
{
    private readonly IMetaStore _store;
    private readonly string _prefix;
    private readonly Func<string, byte[], T?> _decode;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private ImmutableDictionary<string, T> _entries = ImmutableDictionary.Create<string, T>(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _watch;
    private int _disposed;

    /// <param name="decode">Decodes a value; null skips an entry this version does not understand.</param>
    public MetaPrefixView(IMetaStore store, string prefix, Func<string, byte[], T?> decode, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _store = store;
        _prefix = prefix;
        _decode = decode;
        _time = time ?? TimeProvider.System;
    }

    public string Prefix => _prefix;

    /// <summary>Raised after a change was applied (on the watch's thread; keep handlers short).</summary>
    public event Action? Changed;

    /// <summary>The current entries by full key.</summary>
    public ImmutableDictionary<string, T> Entries
    {
        get
        {
            lock (_lock)
            {
                return _entries;
            }
        }
    }

    /// <summary>Loads the prefix and starts watching; returns once the first snapshot is loaded.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        long revision = await LoadAsync(cancellationToken);
        _watch = Task.Run(() => WatchLoopAsync(revision, _stop.Token), CancellationToken.None);
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked now and after each change).</summary>
    public async Task WaitUntilAsync(Func<ImmutableDictionary<string, T>, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            ImmutableDictionary<string, T> entries;
            lock (_lock)
            {
                changed = _changed.Task;
                entries = _entries;
            }

            if (condition(entries))
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }

        _stop.Dispose();
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        long revision = await _store.GetRevisionAsync(cancellationToken);
        var entries = ImmutableDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
        foreach (KeyValue kv in await _store.ScanPrefixAsync(_prefix, cancellationToken))
        {
            if (_decode(kv.Key, kv.Value) is { } value)
            {
                entries[kv.Key] = value;
            }
        }

        Publish(entries.ToImmutable());
        return revision;
    }

    private async Task WatchLoopAsync(long revision, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (WatchEvent change in _store.WatchAsync(_prefix, revision + 1, stop))
                {
                    revision = change.Revision;
                    ImmutableDictionary<string, T> current = Entries;
                    T? value = change.Kind == WatchEventKind.Put ? _decode(change.Key, change.Value) : null;
                    Publish(value is null ? current.Remove(change.Key) : current.SetItem(change.Key, value));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), _time, stop);
                    revision = await LoadAsync(stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception)
                {
                    // Still unreachable; the next round retries.
                }
            }
        }
    }

    private void Publish(ImmutableDictionary<string, T> entries)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _entries = entries;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        Changed?.Invoke();
    }
}
