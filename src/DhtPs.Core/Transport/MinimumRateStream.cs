using System.Diagnostics;
using DhtPs.Core.Streams;

namespace DhtPs.Core.Transport;

/// <summary>
/// The server end of a stream another peer opened: reads fail with <see cref="TimeoutException"/> once the bytes it
/// brought fall below <see cref="TransportLimits.MinimumStreamRate"/> per second of the time spent waiting for them
/// (after a grace period). Only waiting time counts, so a receiver busy with its own disk never cuts a fast sender;
/// a sender dripping a byte at a time is cut however often it drips.
/// </summary>
internal sealed class MinimumRateStream(Stream inner, TransportLimits limits, Action<string> onCutOff) : WrappingStream(inner)
{
    private long _bytes;
    private long _waitingTicks;

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
            var read = await Inner.ReadAsync(buffer, deadline.Token).ConfigureAwait(false);
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
}
