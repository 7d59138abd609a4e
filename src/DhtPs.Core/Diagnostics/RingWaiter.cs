namespace DhtPs.Core.Diagnostics;

/// <summary>How a wait for a ring ended: the last comparison made, matched or not.</summary>
public sealed record RingWaitResult(bool Matched, DhtRingReport Report, RingComparison Comparison, TimeSpan Elapsed);

/// <summary>Inspects a ring again and again until it meets an expectation or the time is up (Wait-DhtRing).</summary>
public static class RingWaiter
{
    /// <param name="inspect">One look at the ring (a walk and its report); it should bound its own time.</param>
    /// <param name="pollInterval">The pause between two looks.</param>
    public static async Task<RingWaitResult> WaitAsync(
        Func<CancellationToken, Task<DhtRingReport>> inspect, RingExpectation expectation, TimeSpan timeout, TimeSpan pollInterval,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        while (true)
        {
            var report = await inspect(cancellationToken).ConfigureAwait(false);
            var comparison = expectation.Evaluate(report);
            var elapsed = time.GetElapsedTime(started);
            if (comparison.Matches || elapsed >= timeout)
                return new RingWaitResult(comparison.Matches, report, comparison, elapsed);
            var pause = pollInterval < timeout - elapsed ? pollInterval : timeout - elapsed;
            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
