namespace VectorAspire.Core.Time;

/// <summary>Milvus hybrid timestamps: 46 bits of Unix milliseconds, 18 bits of logical counter.</summary>
public static class HybridTimestamp
{
    public const int LogicalBits = 18;
    public const ulong LogicalMask = (1UL << LogicalBits) - 1;

    public static ulong Compose(long physicalMs, long logical) => ((ulong)physicalMs << LogicalBits) | ((ulong)logical & LogicalMask);

    public static long Physical(ulong ts) => (long)(ts >> LogicalBits);

    public static long Logical(ulong ts) => (long)(ts & LogicalMask);

    /// <summary>The timestamp <paramref name="ms"/> milliseconds earlier (logical part zero).</summary>
    public static ulong SubtractMilliseconds(ulong ts, long ms) => Compose(Math.Max(0, Physical(ts) - ms), 0);

    public static DateTimeOffset ToDateTime(ulong ts) => DateTimeOffset.FromUnixTimeMilliseconds(Physical(ts));
}
