namespace VectorAspire.Core.Wal;

public sealed class ObjectStoreWalOptions
{
    public const string Section = "VectorAspire:Wal:ObjectStore";

    /// <summary>Meta-store key prefix of the logs' state (writer epochs, fragment entries, truncation points).</summary>
    public string MetaPrefix { get; set; } = "wal/";

    /// <summary>Object-store key prefix of the fragment objects.</summary>
    public string ObjectPrefix { get; set; } = "wal/";

    /// <summary>A group commit is split into fragments of at most this many payload bytes (a larger record gets its own).</summary>
    public int MaxFragmentBytes { get; set; } = 8 << 20;

    /// <summary>How many times opening a channel retries taking ownership when another opener raced it.</summary>
    public int OpenAttempts { get; set; } = 20;

    internal void Validate()
    {
        if (string.IsNullOrEmpty(MetaPrefix) || !MetaPrefix.EndsWith('/'))
        {
            throw new ArgumentException($"MetaPrefix '{MetaPrefix}' must be non-empty and end with '/'");
        }

        if (string.IsNullOrEmpty(ObjectPrefix) || !ObjectPrefix.EndsWith('/') || ObjectPrefix.StartsWith('/'))
        {
            throw new ArgumentException($"ObjectPrefix '{ObjectPrefix}' must be a relative key prefix ending with '/'");
        }

        if (MaxFragmentBytes < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFragmentBytes), MaxFragmentBytes, "must be at least 4096");
        }

        if (OpenAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(OpenAttempts), OpenAttempts, "must be at least 1");
        }
    }
}
