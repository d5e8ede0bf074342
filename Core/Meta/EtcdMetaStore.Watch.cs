using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace VectorAspire.Core.Meta;

public sealed partial class EtcdMetaStore
{
    private static readonly TimeSpan s_watchReconnectFirstDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// One etcd watch stream per call. The position is tracked as the revision after the last fully delivered
    /// response (etcd never splits one revision's events over responses unless asked to fragment), and a broken stream
    /// (member restart, network error, leader change) is re-created from that revision with a capped backoff, so no
    /// event is lost or repeated across reconnects. <paramref name="fromRevision"/> 0 is resolved to the current
    /// revision + 1 up front, so even a "future only" watch resumes without a gap: to the newest revision this client
    /// has seen when the enumeration starts, + 1, so every change made after the call (by this client or any other
    /// whose write completes later) is delivered, possibly with a few that completed just before it; a client that
    /// has seen nothing yet asks the server for its current revision.
    /// Throws <see cref="RevisionCompactedException"/> when the resume revision has been compacted, ends when the
    /// store is disposed and throws <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        (ByteString from, ByteString end) = PrefixRange(prefix);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        CancellationToken token = linked.Token;
        bool fromNow = fromRevision == 0;
        bool delivered = false;
        long seen = Volatile.Read(ref _lastSeenRevision);
        long next = fromNow && seen > 0 ? seen + 1 : fromRevision;
        TimeSpan delay = s_watchReconnectFirstDelay;
        var events = new List<WatchEvent>();

        while (!token.IsCancellationRequested)
        {
            AsyncDuplexStreamingCall<WatchRequest, WatchResponse>? call = null;
            bool broken = false;
            try
            {
                if (next == 0)
                {
                    next = await GetRevisionAsync(token).ConfigureAwait(false) + 1;
                }

                call = _watch.Watch(cancellationToken: token);
                var create = new WatchCreateRequest { Key = from, RangeEnd = end, StartRevision = next };
                await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransientWatchError(e, token))
            {
                broken = true;
                LogWatchBroken(_logger, prefix, next, e.Message);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                call?.Dispose();
                break;
            }

            try
            {
                while (!broken && !token.IsCancellationRequested)
                {
                    events.Clear();
                    try
                    {
                        if (!await call!.ResponseStream.MoveNext(token).ConfigureAwait(false))
                        {
                            broken = true;
                            LogWatchBroken(_logger, prefix, next, "the server closed the stream");
                            break;
                        }

                        WatchResponse response = call.ResponseStream.Current;
                        if (response.CompactRevision != 0 && fromNow && !delivered)
                        {
                            // A stale "newest seen" revision was compacted: "from now" may start at the oldest kept one.
                            next = response.CompactRevision;
                            broken = true;
                            break;
                        }

                        if (response.CompactRevision != 0)
                        {
                            throw new RevisionCompactedException(next, response.CompactRevision);
                        }

                        ObserveRevision(response.Header);

                        if (response.Canceled)
                        {
                            throw new InvalidOperationException($"etcd cancelled the watch of '{prefix}': {response.CancelReason}");
                        }

                        foreach (Mvccpb.Event e in response.Events)
                        {
                            events.Add(ToWatchEvent(e));
                        }

                        // Reset only after a stream produced something, so a member that keeps failing is not hammered.
                        delay = s_watchReconnectFirstDelay;
                    }
                    catch (Exception e) when (IsTransientWatchError(e, token))
                    {
                        broken = true;
                        LogWatchBroken(_logger, prefix, next, e.Message);
                        break;
                    }
                    catch (Exception) when (token.IsCancellationRequested)
                    {
                        break;
                    }

                    foreach (WatchEvent e in events)
                    {
                        yield return e;
                    }

                    if (events.Count > 0)
                    {
                        next = events[^1].Revision + 1;
                        delivered = true;
                    }
                }
            }
            finally
            {
                call?.Dispose();
            }

            if (broken && !token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.WatchReconnectMaxDelay.Ticks));
            }
        }

        cancellationToken.ThrowIfCancellationRequested(); // ended by the caller, not by dispose
    }

    private WatchEvent ToWatchEvent(Mvccpb.Event e) => e.Type == Mvccpb.Event.Types.EventType.Delete
        ? new WatchEvent(WatchEventKind.Delete, RelativeKey(e.Kv.Key), [], e.Kv.ModRevision)
        : new WatchEvent(WatchEventKind.Put, RelativeKey(e.Kv.Key), e.Kv.Value.ToByteArray(), e.Kv.ModRevision);

    /// <summary>Anything but our own cancellation or a definite server refusal is worth a reconnect.</summary>
    private static bool IsTransientWatchError(Exception e, CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return false; // cancellation and dispose end the loop
        }

        return e switch
        {
            RpcException rpc => rpc.StatusCode is not (StatusCode.InvalidArgument or StatusCode.PermissionDenied
                or StatusCode.Unauthenticated or StatusCode.OutOfRange or StatusCode.FailedPrecondition),
            IOException or HttpRequestException or ObjectDisposedException => true,
            OperationCanceledException => true, // a deadline or a dropped connection, not our token
            _ => false,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd watch of '{Prefix}' broke ({Reason}); reconnecting from revision {Revision}")]
    private static partial void LogWatchBroken(ILogger logger, string prefix, long revision, string reason);
}
