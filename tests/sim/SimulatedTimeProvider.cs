namespace DhtPs.Simulation;

/// <summary>
/// A clock that moves only when the simulation runs it. Timers and posted work share one queue ordered by
/// (due time, scheduling sequence): ties are broken by the order things were scheduled, never by chance,
/// which is why this does not use FakeTimeProvider (its tie-breaking is not guaranteed).
/// Single-threaded: callbacks run on the thread that calls a Run method.
/// </summary>
public sealed class SimulatedTimeProvider : TimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly PriorityQueue<Scheduled, (long Due, long Sequence)> _queue = new();
    private long _now;
    private long _sequence;
    private int _runningThread;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(_now);

    public override long GetTimestamp() => _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Simulated time since <see cref="Epoch"/>.</summary>
    public TimeSpan Elapsed => new(_now);

    /// <summary>Callbacks run so far: a measure of simulated work.</summary>
    public long Executed { get; private set; }

    /// <summary>
    /// The first work scheduled from a thread other than the one that last ran the clock; null while there is none.
    /// Such work has left the simulation thread (a thread-pool continuation, say), so the run is no longer reproducible.
    /// </summary>
    public string? ForeignThreadWork { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimulatedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Runs <paramref name="work"/> at the current time, after everything already due by now.</summary>
    public void Post(Action work)
    {
        NoteThread();
        _queue.Enqueue(new Scheduled(null, 0, work), (_now, ++_sequence));
    }

    internal void Schedule(SimulatedTimer timer, long generation, long due)
    {
        NoteThread();
        _queue.Enqueue(new Scheduled(timer, generation, null), (due, ++_sequence));
    }

    private void NoteThread()
    {
        var thread = Environment.CurrentManagedThreadId;
        if (_runningThread != 0 && thread != _runningThread)
            ForeignThreadWork ??= $"thread {thread} scheduled work at t={Elapsed.TotalSeconds:0.000} s; thread {_runningThread} runs the clock";
    }

    internal long NowTicks => _now;

    /// <summary>Runs everything due up to <see cref="Elapsed"/> + <paramref name="duration"/>, then leaves the clock there.</summary>
    public void RunFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var until = _now + duration.Ticks;
        _runningThread = Environment.CurrentManagedThreadId;
        // With a SynchronizationContext installed (xunit has one), the runtime refuses to inline
        // ConfigureAwait(false) continuations and queues them to the thread pool: run without one,
        // so every continuation stays on this thread and in this order.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            while (RunNext(until))
            {
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
        _now = until;
    }

    /// <summary>Runs everything due now, including work that work due now posts: the quiescent point of this instant.</summary>
    public void RunDue() => RunFor(TimeSpan.Zero);

    /// <summary>Runs the earliest live item due at or before <paramref name="until"/>; false when there is none.</summary>
    private bool RunNext(long until)
    {
        while (_queue.TryPeek(out var next, out var key))
        {
            if (!next.IsLive)
            {
                _queue.Dequeue(); // A disposed or re-armed timer's old arming.
                continue;
            }
            if (key.Due > until)
                return false;
            _queue.Dequeue();
            _now = key.Due;
            Executed++;
            if (next.Timer is { } timer)
                timer.Fire(next.Generation, key.Due);
            else
                next.Work!();
            return true;
        }
        return false;
    }

    private readonly record struct Scheduled(SimulatedTimer? Timer, long Generation, Action? Work)
    {
        public bool IsLive => Timer is null || Timer.IsArmedAs(Generation);
    }
}
