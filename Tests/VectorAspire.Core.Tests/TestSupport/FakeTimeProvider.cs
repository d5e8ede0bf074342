namespace VectorAspire.Core.Tests.TestSupport;

/// <summary>
/// A clock the test moves by hand. Timers fire synchronously inside <see cref="Advance"/> / <see cref="SetUtcNow"/>
/// when their due time is reached. The clock may also be moved backwards (timers then simply wait longer).
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now;

    public FakeTimeProvider(DateTimeOffset start) => _now = start;

    public FakeTimeProvider() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan delta) => SetUtcNow(GetUtcNow() + delta);

    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_lock)
        {
            _now = value;
        }

        FireDueTimers();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    private void FireDueTimers()
    {
        while (true)
        {
            FakeTimer? due = null;
            lock (_lock)
            {
                foreach (FakeTimer timer in _timers)
                {
                    if (timer.DueAt is { } at && at <= _now)
                    {
                        due = timer;
                        timer.DueAt = timer.Period > TimeSpan.Zero ? _now + timer.Period : null;
                        break;
                    }
                }
            }

            if (due is null)
            {
                return;
            }

            due.Fire();
        }
    }

    private void Remove(FakeTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            owner.Remove(this);
            return ValueTask.CompletedTask;
        }
    }
}
