using System.Buffers;
using System.Collections.Concurrent;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

/// <summary>
/// One channel of <see cref="LocalWal"/>. Appends are group-committed: <see cref="AppendAsync"/> assigns the LSN
/// under a lock and queues the record; a dedicated writer thread takes everything queued, writes it, fsyncs once
/// and then completes all of those appends. The caller must not modify the payload until its append completes.
/// Cancelling an append only works before it is queued: once it has an LSN it will be written (LSNs have no gaps).
/// If a write or fsync fails, that batch's appends fail, the channel refuses further appends, and a failed append may
/// or may not be present after the channel is reopened (as with any WAL: only success is a promise).
/// </summary>
public sealed partial class LocalWalChannel : IWalChannel
{
    /// <summary>Largest payload of one record (1 GiB): far above any real batch, and keeps sizes in int range.</summary>
    public const int MaxPayloadBytes = 1 << 30;

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly LocalWalOptions _options;
    private readonly LocalWal? _owner;
    private readonly FileStream _lockFile;
    private readonly ManualResetEventSlim _work = new(false);
    private readonly ConcurrentQueue<AppendCompletion> _completionPool = new();
    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _lock.
    private readonly List<WalSegment> _segments;
    private List<PendingAppend> _queue = [];
    private long _nextLsn;
    private long _durableLsn;
    private bool _closing;
    private Exception? _fault;

    // Owned by the writer thread once it starts.
    private List<PendingAppend> _batch = [];
    private FileStream _active;
    private long _activeLength;
    private byte[] _buffer;
    private int _buffered;

    private LocalWalChannel(string name, string directory, LocalWalOptions options, LocalWal? owner, FileStream lockFile,
        List<WalSegment> segments, FileStream active, long nextLsn, WalRecoveryReport recovery)
    {
        Name = name;
        _directory = directory;
        _options = options;
        _owner = owner;
        _lockFile = lockFile;
        _segments = segments;
        _active = active;
        _activeLength = active.Length;
        _nextLsn = nextLsn;
        _durableLsn = nextLsn;
        Recovery = recovery;
        _buffer = ArrayPool<byte>.Shared.Rent(options.WriteBufferBytes);
        var writer = new Thread(WriterLoop) { IsBackground = true, Name = $"wal-writer {name}" };
        writer.Start();
    }

    public string Name { get; }

    public long NextLsn
    {
        get
        {
            lock (_lock)
            {
                return _nextLsn;
            }
        }
    }

    /// <summary>Everything up to (excluding) this LSN is durable.</summary>
    public long DurableLsn
    {
        get
        {
            lock (_lock)
            {
                return _durableLsn;
            }
        }
    }

    /// <summary>The oldest LSN still stored (records below it were removed by <see cref="TruncateBeforeAsync"/>).</summary>
    public long FirstLsn
    {
        get
        {
            lock (_lock)
            {
                return _segments[0].FirstLsn;
            }
        }
    }

    /// <summary>What recovery found when the channel was opened (including bytes of a torn tail that were cut).</summary>
    public WalRecoveryReport Recovery { get; }

    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    public ValueTask<long> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"a WAL record holds at most {MaxPayloadBytes} bytes");
        }

        if (!_completionPool.TryDequeue(out AppendCompletion? completion))
        {
            completion = new AppendCompletion(_completionPool);
        }

        bool wake;
        lock (_lock)
        {
            if (_fault is not null || _closing)
            {
                _completionPool.Enqueue(completion);
                ThrowNotWritable();
            }

            _queue.Add(new PendingAppend(payload, _nextLsn++, completion));
            wake = _queue.Count == 1;
        }

        if (wake)
        {
            _work.Set();
        }

        return new ValueTask<long>(completion, completion.Version);
    }

    public ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken)
    {
        List<string>? doomed = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            // Segment i holds [First(i), First(i+1)); the last (active) segment is never removed.
            int removable = 0;
            while (removable + 1 < _segments.Count && _segments[removable + 1].FirstLsn <= lsn)
            {
                removable++;
            }

            if (removable > 0)
            {
                doomed = new List<string>(removable);
                for (int i = 0; i < removable; i++)
                {
                    doomed.Add(_segments[i].Path);
                }

                _segments.RemoveRange(0, removable);
            }
        }

        if (doomed is not null)
        {
            // Oldest first, so a crash part-way leaves a contiguous run of files.
            foreach (string path in doomed)
            {
                File.Delete(path);
            }

            DirectoryDurability.Flush(_directory);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
        }

        _work.Set();
        await _writerExited.Task;
        _active.Dispose();
        _lockFile.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _owner?.OnChannelClosed(this);
    }

    private void ThrowNotWritable()
    {
        if (_fault is not null)
        {
            throw new IOException($"WAL channel '{Name}' failed to write and accepts no more appends; reopen it to recover", _fault);
        }

        throw new ObjectDisposedException(nameof(LocalWalChannel), $"WAL channel '{Name}' is closed");
    }

    private void WriterLoop()
    {
        try
        {
            while (true)
            {
                _work.Wait();
                bool closing;
                Exception? fault;
                lock (_lock)
                {
                    (_batch, _queue) = (_queue, _batch);
                    closing = _closing;
                    fault = _fault;
                    if (!closing)
                    {
                        _work.Reset(); // the queue is empty now; the next append sets it again
                    }
                }

                if (_batch.Count == 0)
                {
                    if (closing)
                    {
                        return;
                    }

                    continue;
                }

                if (fault is null)
                {
                    try
                    {
                        WriteBatch(_batch);
                    }
                    catch (Exception e)
                    {
                        fault = e;
                    }
                }

                lock (_lock)
                {
                    if (fault is null)
                    {
                        _durableLsn = _batch[^1].Lsn + 1;
                    }
                    else
                    {
                        _fault ??= fault;
                    }
                }

                foreach (PendingAppend append in _batch)
                {
                    if (fault is null)
                    {
                        append.Completion.SetResult(append.Lsn);
                    }
                    else
                    {
                        append.Completion.SetException(fault);
                    }
                }

                _batch.Clear(); // drops the references to callers' payloads
            }
        }
        finally
        {
            _writerExited.SetResult();
        }
    }

    private void WriteBatch(List<PendingAppend> batch)
    {
        foreach (PendingAppend append in batch)
        {
            if (_activeLength >= _options.SegmentBytes)
            {
                RollTo(append.Lsn);
            }

            ReadOnlySpan<byte> payload = append.Payload.Span;
            int recordSize = WalSegmentFormat.RecordHeaderSize + payload.Length;
            if (_buffered + recordSize > _buffer.Length && _buffered > 0)
            {
                WriteBuffered();
            }

            WalSegmentFormat.WriteRecordHeader(_buffer.AsSpan(_buffered), payload);
            _buffered += WalSegmentFormat.RecordHeaderSize;
            if (_buffered + payload.Length <= _buffer.Length)
            {
                payload.CopyTo(_buffer.AsSpan(_buffered));
                _buffered += payload.Length;
            }
            else
            {
                WriteBuffered();
                _active.Write(payload); // large record: no copy
            }

            _activeLength += recordSize;
        }

        WriteBuffered();
        _active.Flush(flushToDisk: true);
    }

    private void WriteBuffered()
    {
        if (_buffered > 0)
        {
            _active.Write(_buffer, 0, _buffered);
            _buffered = 0;
        }
    }

    /// <summary>Seals the active segment (made durable first) and starts a new one whose first record is <paramref name="firstLsn"/>.</summary>
    private void RollTo(long firstLsn)
    {
        WriteBuffered();
        _active.Flush(flushToDisk: true);
        FileStream next = CreateSegment(_directory, firstLsn);
        _active.Dispose();
        _active = next;
        _activeLength = next.Length;
        lock (_lock)
        {
            _segments.Add(new WalSegment(firstLsn, next.Name));
        }
    }

    /// <summary>Creates a segment file holding only its header, durable (file and directory entry) before returning.</summary>
    private static FileStream CreateSegment(string directory, long firstLsn)
    {
        string path = Path.Combine(directory, WalSegmentFormat.FileName(firstLsn));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        try
        {
            Span<byte> header = stackalloc byte[WalSegmentFormat.HeaderSize];
            WalSegmentFormat.WriteHeader(header, firstLsn);
            stream.Write(header);
            stream.Flush(flushToDisk: true);
            DirectoryDurability.Flush(directory);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private readonly record struct PendingAppend(ReadOnlyMemory<byte> Payload, long Lsn, AppendCompletion Completion);

    internal readonly record struct WalSegment(long FirstLsn, string Path);
}
