using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

public sealed partial class LocalWalChannel
{
    private const int ReadBufferBytes = 1 << 16;

    /// <summary>
    /// Records from <paramref name="fromLsn"/> up to the durable end as of the call, each checksum-verified; every
    /// record's payload is a fresh array the caller owns. Reading below <see cref="FirstLsn"/> throws
    /// <see cref="ArgumentOutOfRangeException"/>: those records were truncated.
    /// </summary>
    public async IAsyncEnumerable<WalRecord> ReadAsync(long fromLsn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromLsn);
        WalSegment[] segments;
        long end;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            segments = [.. _segments];
            end = _durableLsn;
        }

        if (fromLsn < segments[0].FirstLsn)
        {
            throw new ArgumentOutOfRangeException(nameof(fromLsn), fromLsn,
                $"WAL channel '{Name}' no longer holds records before LSN {segments[0].FirstLsn} (truncated)");
        }

        if (fromLsn >= end)
        {
            yield break;
        }

        int index = segments.Length - 1;
        while (segments[index].FirstLsn > fromLsn)
        {
            index--;
        }

        byte[] recordHeader = new byte[WalSegmentFormat.RecordHeaderSize];
        for (; index < segments.Length && segments[index].FirstLsn < end; index++)
        {
            WalSegment segment = segments[index];
            long segmentEnd = index + 1 < segments.Length ? Math.Min(segments[index + 1].FirstLsn, end) : end;
            FileStream stream = OpenForRead(segment, fromLsn);
            await using (stream.ConfigureAwait(false))
            {
                stream.Position = WalSegmentFormat.HeaderSize;
                for (long lsn = segment.FirstLsn; lsn < segmentEnd; lsn++)
                {
                    await stream.ReadExactlyAsync(recordHeader, cancellationToken).ConfigureAwait(false);
                    int length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(recordHeader));
                    if (lsn < fromLsn)
                    {
                        stream.Seek(length, SeekOrigin.Current);
                        continue;
                    }

                    byte[] payload = GC.AllocateUninitializedArray<byte>(length);
                    await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
                    uint crc = Crc32C.Append(Crc32C.Compute(recordHeader.AsSpan(0, 4)), payload);
                    if (crc != BinaryPrimitives.ReadUInt32LittleEndian(recordHeader.AsSpan(4)))
                    {
                        throw new WalCorruptedException($"WAL channel '{Name}': record {lsn} in '{segment.Path}' fails its checksum");
                    }

                    yield return new WalRecord(lsn, payload);
                }
            }
        }
    }

    private FileStream OpenForRead(WalSegment segment, long fromLsn)
    {
        try
        {
            return new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                ReadBufferBytes, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (FileNotFoundException e)
        {
            throw new ArgumentOutOfRangeException(
                $"WAL channel '{Name}': records from LSN {fromLsn} were truncated while the read was starting", e);
        }
    }
}
