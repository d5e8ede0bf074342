namespace VectorAspire.Core.Time;

/// <summary>
/// Issues strictly increasing hybrid timestamps (<see cref="HybridTimestamp"/>): physical milliseconds &lt;&lt; 18 | logical.
/// Survives restarts without going backwards by persisting a window ahead of the clock.
/// </summary>
public interface ITimestampOracle
{
    /// <summary>Allocates <paramref name="count"/> consecutive timestamps and returns the first.</summary>
    ValueTask<ulong> AllocateAsync(int count, CancellationToken cancellationToken);
}
