using DhtPs.Core.Streams;

namespace DhtPs.Core.Transport;

/// <summary>
/// A stream whose reads and writes each fail with <see cref="TimeoutException"/> when no byte moves within the idle
/// limit, so a transfer whose other side stalls with the connection still open ends instead of waiting forever.
/// Time only counts while an operation is pending: a receiver busy writing to its own disk never times itself out.
/// The clock is the peer's <see cref="TimeProvider"/>, so a simulation decides when a stall ends.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan idleLimit, TimeProvider time) : WrappingStream(inner)
{
    // One watchdog per direction, re-armed for each operation: a transfer makes one read per 60 KiB frame,
    // and a timer and two token sources per read cost more than the read itself.
    private readonly Watchdog _reads = new(idleLimit, time);
    private readonly Watchdog _writes = new(idleLimit, time);

    public TimeSpan IdleLimit { get; } = idleLimit;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var token = _reads.Arm(cancellationToken);
        try
        {
            return await Inner.ReadAsync(buffer, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_reads.Fired && !cancellationToken.IsCancellationRequested)
        {
            throw Stalled("arrived");
        }
        finally
        {
            _reads.Disarm();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var token = _writes.Arm(cancellationToken);
        try
        {
            await Inner.WriteAsync(buffer, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_writes.Fired && !cancellationToken.IsCancellationRequested)
        {
            throw Stalled("could be sent");
        }
        finally
        {
            _writes.Disarm();
        }
    }

    protected override void ReleaseOwn()
    {
        _reads.Dispose();
        _writes.Dispose();
    }

    private TimeoutException Stalled(string what) =>
        new($"No bytes {what} for {IdleLimit.TotalSeconds:0.###} s; the transfer stalled.");

    /// <summary>
    /// One direction's idle limit: a timer armed while an operation is pending that, when it fires, cancels the
    /// token that operation was given. One operation at a time per direction, as a stream allows.
    /// </summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly TimeSpan _limit;
        private readonly ITimer _timer;
        private CancellationTokenSource _idle = new();
        private CancellationTokenSource? _linked;
        private CancellationToken _linkedTo;

        public Watchdog(TimeSpan limit, TimeProvider time)
        {
            _limit = limit;
            _timer = time.CreateTimer(static state => ((Watchdog)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>True once the limit passed during the pending operation.</summary>
        public bool Fired => _idle.IsCancellationRequested;

        /// <summary>Starts the limit for an operation; returns the token to give it (the caller's, linked, when it has one).</summary>
        public CancellationToken Arm(CancellationToken caller)
        {
            if (_idle.IsCancellationRequested)
            {
                // Fired as the last operation completed anyway: that one moved bytes, so this one starts afresh.
                _linked?.Dispose();
                _linked = null;
                _idle.Dispose();
                _idle = new CancellationTokenSource();
            }
            _timer.Change(_limit, Timeout.InfiniteTimeSpan);
            if (!caller.CanBeCanceled)
                return _idle.Token;
            if (_linked is null || caller != _linkedTo)
            {
                // A transfer passes the same token to every operation: one linked source serves them all.
                _linked?.Dispose();
                _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _idle.Token);
                _linkedTo = caller;
            }
            return _linked.Token;
        }

        public void Disarm() => _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        private void Fire()
        {
            try
            {
                _idle.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // A late tick after the stream was closed, or after a fresh source replaced this one: nothing is pending on it.
            }
        }

        public void Dispose()
        {
            _timer.Dispose();
            _linked?.Dispose();
            _idle.Dispose();
        }
    }
}
