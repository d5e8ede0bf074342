using VectorAspire.Core.Errors;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// How long routed calls keep trying while the cluster heals (a node died, a channel or the leadership moved), and
/// which failures prove a call was never applied. Reads are idempotent and retry on any "unavailable"; writes retry
/// only when the failure proves nothing was applied, so a write whose outcome is unknown is reported to the client
/// (which may retry it) rather than applied twice.
/// </summary>
public sealed class ClusterRetry
{
    private readonly TimeProvider _time;

    public ClusterRetry(TimeSpan? budget = null, TimeProvider? time = null, Func<Exception, bool>? provesNotSent = null)
    {
        Budget = budget ?? TimeSpan.FromSeconds(20);
        _time = time ?? TimeProvider.System;
        ProvesNotSent = provesNotSent ?? (static _ => false);
    }

    public TimeSpan Budget { get; }

    /// <summary>Transport-specific: true when the request provably never reached a server (e.g. connection refused).</summary>
    public Func<Exception, bool> ProvesNotSent { get; }

    /// <summary>A retryable "not ready / unavailable" failure (the role answered so, or could not be reached).</summary>
    public static bool IsUnavailable(Exception e) => e is MilvusException { Code: ErrorCodes.ServiceNotReady } or RouteUnavailableException;

    /// <summary>True when <paramref name="e"/> proves the write was not applied.</summary>
    public bool ProvesNotApplied(Exception e) =>
        e is RouteUnavailableException
        || (e is MilvusException { Code: ErrorCodes.ServiceNotReady, InnerException: null }) // the role refused it explicitly
        || ProvesNotSent(e);

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails for good, or the budget is spent.</summary>
    public async ValueTask<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> call, bool idempotent, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception e) when ((idempotent ? IsUnavailable(e) : ProvesNotApplied(e))
                && _time.GetElapsedTime(start) + delay < Budget && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
            }
        }
    }

    public async ValueTask RunAsync(Func<CancellationToken, ValueTask> call, bool idempotent, CancellationToken cancellationToken) =>
        await RunAsync<bool>(async ct =>
        {
            await call(ct);
            return true;
        }, idempotent, cancellationToken);
}

/// <summary>No live node serves what the call needs right now (e.g. a channel is between owners).</summary>
public sealed class RouteUnavailableException(string message)
    : MilvusException(ErrorCodes.ServiceNotReady, message + "; the cluster is recovering, retry shortly");

