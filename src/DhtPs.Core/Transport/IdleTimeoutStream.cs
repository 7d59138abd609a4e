namespace DhtPs.Core.Transport;

/// <summary>
/// A stream whose reads and writes each fail with <see cref="TimeoutException"/> when no byte moves within the idle
/// limit, so a transfer whose other side stalls with the connection still open ends instead of waiting forever.
/// Time only counts while an operation is pending: a receiver busy writing to its own disk never times itself out.
/// The clock is the peer's <see cref="TimeProvider"/>, so a simulation decides when a stall ends.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan idleLimit, TimeProvider time) : Stream
{
    // One watchdog per direction, re-armed for each operation: a transfer makes one read per 60 KiB frame,
    // and a timer and two token sources per read cost more than the read itself.
    private readonly Watchdog _reads = new(idleLimit, time);
    private readonly Watchdog _writes = new(idleLimit, time);

    public TimeSpan IdleLimit { get; } = idleLimit;

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var token = _reads.Arm(cancellationToken);
        try
        {
            return await inner.ReadAsync(buffer, token).ConfigureAwait(false);
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
            await inner.WriteAsync(buffer, token).ConfigureAwait(false);
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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    // Transfers are asynchronous end to end; blocking calls would escape the idle limit.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use WriteAsync.");
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _reads.Dispose();
            _writes.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
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
