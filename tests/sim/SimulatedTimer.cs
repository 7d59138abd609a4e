namespace DhtPs.Simulation;

/// <summary>A timer on a <see cref="SimulatedTimeProvider"/>. Each arming has a generation, so re-arming or disposing makes older armings stale.</summary>
internal sealed class SimulatedTimer(SimulatedTimeProvider clock, TimerCallback callback, object? state) : ITimer
{
    // Dropped on dispose: the clock's queue keeps a disposed timer's arming until it falls due, and a request's
    // deadline timer would otherwise keep the whole finished exchange alive that long (hundreds of MiB at 10,000 peers).
    private TimerCallback? _callback = callback;
    private object? _state = state;
    private long _generation;
    private long _period;
    private bool _disposed;

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        if (_disposed)
            return false;
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(dueTime));
        if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(period));
        _generation++;
        _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
        if (dueTime != Timeout.InfiniteTimeSpan)
            clock.Schedule(this, _generation, clock.NowTicks + dueTime.Ticks);
        return true;
    }

    internal bool IsArmedAs(long generation) => !_disposed && generation == _generation;

    internal void Fire(long generation, long due)
    {
        // Re-arm first, as system timers do: the callback may change or dispose the timer.
        if (_period > 0)
            clock.Schedule(this, generation, due + _period);
        _callback!(_state);
    }

    public void Dispose()
    {
        _disposed = true;
        (_callback, _state) = (null, null);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
