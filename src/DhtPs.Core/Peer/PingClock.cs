namespace DhtPs.Core.Peer;

/// <summary>
/// When a peer's ping rounds fall: on the grid of its interval on the clock (every multiple of the interval since the
/// clock's zero), the first one at once. Peers of one process with one interval so run their rounds together, and
/// the threads that serve them wake once per round for all of them instead of once for each (issue 12: 1,000 peers
/// in one process); peers elsewhere lose nothing by it.
/// </summary>
internal static class PingClock
{
    /// <summary>The grid point at or before <paramref name="now"/>: what a round started at once counts as.</summary>
    public static DateTimeOffset RoundAt(DateTimeOffset now, TimeSpan interval) =>
        new(now.UtcTicks - now.UtcTicks % interval.Ticks, TimeSpan.Zero);

    /// <summary>
    /// The round after the one due at <paramref name="due"/>; a round run so late that it is past already gives way
    /// to the next grid point after <paramref name="now"/>. Going by the due point, not by the moment the timer
    /// fired, keeps a timer that fires a little early from running the same round twice.
    /// </summary>
    public static DateTimeOffset NextRound(DateTimeOffset due, DateTimeOffset now, TimeSpan interval)
    {
        var next = due + interval;
        return next > now ? next : RoundAt(now, interval) + interval;
    }
}
