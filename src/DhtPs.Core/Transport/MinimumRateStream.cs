using System.Diagnostics;

namespace DhtPs.Core.Transport;

/// <summary>
/// The server end of a stream another peer opened: reads fail with <see cref="TimeoutException"/> once the bytes it
/// brought fall below <see cref="TransportLimits.MinimumStreamRate"/> per second of the time spent waiting for them
/// (after a grace period). Only waiting time counts, so a receiver busy with its own disk never cuts a fast sender;
/// a sender dripping a byte at a time is cut however often it drips.
/// </summary>
internal sealed class MinimumRateStream(Stream inner, TransportLimits limits, Action<string> onCutOff) : Stream
{
    private long _bytes;
    private long _waitingTicks;

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Waiting allowed in all: the grace period, plus 1/rate seconds for every byte that came.
        var remaining = limits.RateGracePeriod + TimeSpan.FromSeconds((double)_bytes / limits.MinimumStreamRate) - Waited;
        if (remaining <= TimeSpan.Zero)
            throw CutOff();
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(remaining);
        try
        {
            var read = await inner.ReadAsync(buffer, deadline.Token).ConfigureAwait(false);
            _bytes += read;
            return read;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _waitingTicks += Stopwatch.GetTimestamp() - started;
            started = Stopwatch.GetTimestamp();
            throw CutOff();
        }
        finally
        {
            _waitingTicks += Stopwatch.GetTimestamp() - started;
        }
    }

    private TimeSpan Waited => Stopwatch.GetElapsedTime(0, _waitingTicks);

    private TimeoutException CutOff()
    {
        var reason = $"the stream brought {_bytes} bytes in {Waited.TotalSeconds:0.#} s of waiting, below {limits.MinimumStreamRate} bytes/s";
        onCutOff(reason);
        return new TimeoutException($"Cut off: {reason}.");
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use WriteAsync.");
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
