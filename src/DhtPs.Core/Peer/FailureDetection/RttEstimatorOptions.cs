namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>The bounds of an <see cref="RttEstimator"/>'s timeout, and where it starts before any sample.</summary>
public sealed record RttEstimatorOptions
{
    /// <summary>The largest ceiling: a day, so doubling a timeout never overflows.</summary>
    public static readonly TimeSpan MaxCeiling = TimeSpan.FromDays(1);

    /// <summary>RFC 6298's own starting point, before anything is measured: 1 s.</summary>
    public static RttEstimatorOptions Default { get; } = new();

    /// <summary>The timeout before the first sample (RFC 6298 (2.1): 1 s).</summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The shortest timeout. Loopback round trips are well under a millisecond, but a busy host stalls a peer's thread
    /// for longer than that; the floor keeps such stalls from counting as losses (Linux's TCP uses 200 ms).
    /// </summary>
    public TimeSpan Floor { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest timeout, however often it backs off (RFC 6298 (2.5): at least 60 s for TCP; a peer caps it lower).</summary>
    public TimeSpan Ceiling { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>G: the clock's granularity, the least margin over SRTT whatever the variation.</summary>
    public TimeSpan ClockGranularity { get; init; } = TimeSpan.FromMilliseconds(1);

    public void Validate()
    {
        if (Floor <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Floor), Floor, "The timeout floor must be positive.");
        if (Ceiling < Floor || Ceiling > MaxCeiling)
            throw new ArgumentOutOfRangeException(nameof(Ceiling), Ceiling, $"The timeout ceiling must lie between the floor ({Floor}) and {MaxCeiling}.");
        if (InitialTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(InitialTimeout), InitialTimeout, "The initial timeout must be positive.");
        if (ClockGranularity < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ClockGranularity), ClockGranularity, "The clock granularity cannot be negative.");
    }
}
