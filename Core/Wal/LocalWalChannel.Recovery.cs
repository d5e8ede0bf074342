using System.Buffers;
using System.Buffers.Binary;
using VectorAspire.Core.Storage;

namespace VectorAspire.Core.Wal;

public sealed partial class LocalWalChannel
{
    private const string LockFileName = "LOCK";
    private const int ScanChunkBytes = 1 << 20;

    /// <summary>
    /// Opens (creating if needed) the channel in <paramref name="directory"/> and recovers it: every segment is checked
    /// (header, record lengths and checksums). In the last segment the first bad record marks a torn tail — the write
    /// a crash interrupted — and the file is cut there; anywhere else damage throws <see cref="WalCorruptedException"/>.
    /// A last segment whose header is incomplete was being created when the process died (its header is made durable
    /// before any record goes in), so it holds no acknowledged record and is removed.
    /// </summary>
    internal static LocalWalChannel Open(string name, string directory, LocalWalOptions options, LocalWal? owner)
    {
        DirectoryDurability.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"WAL channel '{name}' in '{directory}' is already open elsewhere (its LOCK file is held)", e);
        }

        try
        {
            return Recover(name, directory, options, owner, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static LocalWalChannel Recover(string name, string directory, LocalWalOptions options, LocalWal? owner, FileStream lockFile)
    {
        var found = new List<WalSegment>();
        foreach (string path in Directory.EnumerateFiles(directory, "*" + WalSegmentFormat.Extension))
        {
            if (WalSegmentFormat.TryParseFileName(Path.GetFileName(path), out long firstLsn))
            {
                found.Add(new WalSegment(firstLsn, path));
            }
        }

        found.Sort(static (a, b) => a.FirstLsn.CompareTo(b.FirstLsn));

        var segments = new List<WalSegment>(found.Count + 1);
        string? truncatedFile = null;
        long truncatedBytes = 0;
        long nextLsn = found.Count > 0 ? found[0].FirstLsn : 0;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(ScanChunkBytes);
        Span<byte> header = stackalloc byte[WalSegmentFormat.HeaderSize];
        try
        {
            for (int i = 0; i < found.Count; i++)
            {
                WalSegment segment = found[i];
                bool last = i == found.Count - 1;
                if (segment.FirstLsn != nextLsn)
                {
                    throw new WalCorruptedException(
                        $"WAL channel '{name}': segment '{segment.Path}' starts at LSN {segment.FirstLsn} but the previous segment ends at {nextLsn}");
                }

                using var stream = new FileStream(segment.Path, FileMode.Open, last ? FileAccess.ReadWrite : FileAccess.Read, FileShare.Read);
                long length = stream.Length;
                int headerBytes = RandomAccess.Read(stream.SafeFileHandle, header, 0);
                string? headerProblem = WalSegmentFormat.CheckHeader(header[..headerBytes], segment.FirstLsn);
                if (headerProblem is not null)
                {
                    if (!last)
                    {
                        throw new WalCorruptedException($"WAL channel '{name}': segment '{segment.Path}': {headerProblem}");
                    }

                    stream.Dispose();
                    File.Delete(segment.Path);
                    DirectoryDurability.Flush(directory);
                    truncatedFile = segment.Path;
                    truncatedBytes = length;
                    break;
                }

                (long count, long goodEnd, string? problem) = ScanRecords(stream.SafeFileHandle, length, scratch);
                if (problem is not null)
                {
                    if (!last)
                    {
                        throw new WalCorruptedException(
                            $"WAL channel '{name}': segment '{segment.Path}': record at LSN {segment.FirstLsn + count} (offset {goodEnd}) {problem}");
                    }

                    stream.SetLength(goodEnd);
                    stream.Flush(flushToDisk: true);
                    truncatedFile = segment.Path;
                    truncatedBytes = length - goodEnd;
                }

                segments.Add(segment);
                nextLsn = segment.FirstLsn + count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        FileStream active;
        if (segments.Count == 0)
        {
            active = CreateSegment(directory, nextLsn);
            segments.Add(new WalSegment(nextLsn, active.Name));
        }
        else
        {
            active = new FileStream(segments[^1].Path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        }

        var report = new WalRecoveryReport(segments.Count, nextLsn, truncatedFile, truncatedBytes);
        return new LocalWalChannel(name, directory, options, owner, lockFile, segments, active, nextLsn, report);
    }

    /// <summary>Walks the records after the header; stops at the end of the file or at the first bad record.</summary>
    private static (long Count, long GoodEnd, string? Problem) ScanRecords(Microsoft.Win32.SafeHandles.SafeFileHandle file,
        long length, byte[] scratch)
    {
        long offset = WalSegmentFormat.HeaderSize;
        long count = 0;
        Span<byte> recordHeader = stackalloc byte[WalSegmentFormat.RecordHeaderSize];
        while (offset < length)
        {
            if (length - offset < WalSegmentFormat.RecordHeaderSize)
            {
                return (count, offset, $"is cut short: {length - offset} bytes where a record header needs {WalSegmentFormat.RecordHeaderSize}");
            }

            ReadExactly(file, recordHeader, offset);
            uint payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader);
            uint expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]);
            long payloadStart = offset + WalSegmentFormat.RecordHeaderSize;
            if (payloadLength > length - payloadStart)
            {
                return (count, offset, $"claims {payloadLength} payload bytes but only {length - payloadStart} remain");
            }

            uint crc = Crc32C.Compute(recordHeader[..4]);
            long done = 0;
            while (done < payloadLength)
            {
                int chunk = (int)Math.Min(scratch.Length, payloadLength - done);
                ReadExactly(file, scratch.AsSpan(0, chunk), payloadStart + done);
                crc = Crc32C.Append(crc, scratch.AsSpan(0, chunk));
                done += chunk;
            }

            if (crc != expectedCrc)
            {
                return (count, offset, "fails its checksum");
            }

            offset = payloadStart + payloadLength;
            count++;
        }

        return (count, offset, null);
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            int n = RandomAccess.Read(file, destination, offset);
            if (n == 0)
            {
                throw new EndOfStreamException("WAL segment shrank while being read");
            }

            destination = destination[n..];
            offset += n;
        }
    }
}
