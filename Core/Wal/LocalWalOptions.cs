namespace VectorAspire.Core.Wal;

public sealed class LocalWalOptions
{
    /// <summary>A segment file is closed and a new one started once it has grown to at least this size.</summary>
    public long SegmentBytes { get; set; } = 64L << 20;

    /// <summary>Pooled buffer the writer gathers small records in before one write call; larger records bypass it.</summary>
    public int WriteBufferBytes { get; set; } = 1 << 20;

    internal void Validate()
    {
        if (SegmentBytes <= WalSegmentFormat.HeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentBytes), SegmentBytes, $"must exceed the {WalSegmentFormat.HeaderSize}-byte segment header");
        }

        if (WriteBufferBytes < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteBufferBytes), WriteBufferBytes, "must be at least 4096");
        }
    }
}

/// <summary>What opening a channel found: how many segment files, where appends continue, and any torn tail cut off.</summary>
public readonly record struct WalRecoveryReport(int SegmentCount, long NextLsn, string? TruncatedFile, long TruncatedBytes);
