using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace VectorAspire.Core.Wal;

/// <summary>
/// The reusable task source behind one <see cref="IWalChannel.AppendAsync"/> call. It goes back to its channel's pool
/// when the awaiter reads the result, so steady-state appends allocate nothing.
/// </summary>
internal sealed class AppendCompletion : IValueTaskSource<long>
{
    private readonly ConcurrentQueue<AppendCompletion> _pool;
    private ManualResetValueTaskSourceCore<long> _core;

    public AppendCompletion(ConcurrentQueue<AppendCompletion> pool)
    {
        _pool = pool;
        // Completions are signalled by the writer thread; callers' continuations must not run on it.
        _core.RunContinuationsAsynchronously = true;
    }

    public short Version => _core.Version;

    public void SetResult(long lsn) => _core.SetResult(lsn);

    public void SetException(Exception error) => _core.SetException(error);

    public long GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _pool.Enqueue(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
