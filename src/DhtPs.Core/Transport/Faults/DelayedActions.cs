namespace DhtPs.Core.Transport.Faults;

/// <summary>
/// Work held back on a clock (delayed datagrams). Holds each pending timer until it fires, so none is collected
/// early, and drops whatever is still pending when the transport is disposed.
/// </summary>
internal sealed class DelayedActions(TimeProvider time)
{
    private readonly HashSet<ITimer> _pending = [];
    private bool _disposed;

    public void After(TimeSpan delay, Action action)
    {
        lock (_pending)
        {
            if (_disposed)
                return;
            ITimer timer = null!;
            // Created unarmed and armed once pending, so the callback always finds itself in the set.
            timer = time.CreateTimer(_ =>
            {
                lock (_pending)
                {
                    if (!_pending.Remove(timer))
                        return; // disposed meanwhile
                }
                timer.Dispose();
                action();
            }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _pending.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        ITimer[] pending;
        lock (_pending)
        {
            _disposed = true;
            pending = [.. _pending];
            _pending.Clear();
        }
        foreach (var timer in pending)
            timer.Dispose();
    }
}
