namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// The retransmission timeout of one target, from its measured round trips, as RFC 6298 computes it: a smoothed
/// round-trip time (SRTT, gain 1/8) and its mean deviation (RTTVAR, gain 1/4), the timeout SRTT + max(G, 4 RTTVAR)
/// kept within a floor and a ceiling, doubled on each timeout until a clean sample arrives.
/// Karn's rule: an answer that cannot be matched to one send (the question was asked again before it came) is no
/// sample, and the backed-off timeout stays. Owned by whoever probes the target; not thread-safe.
/// </summary>
public sealed class RttEstimator
{
    private const double Alpha = 1.0 / 8;
    private const double Beta = 1.0 / 4;
    private const int K = 4;

    private readonly RttEstimatorOptions _options;
    private TimeSpan _timeout;

    public RttEstimator(RttEstimatorOptions? options = null)
    {
        _options = options ?? RttEstimatorOptions.Default;
        _options.Validate();
        _timeout = Clamp(_options.InitialTimeout);
    }

    /// <summary>SRTT; null before the first sample.</summary>
    public TimeSpan? SmoothedRtt { get; private set; }

    /// <summary>RTTVAR; null before the first sample.</summary>
    public TimeSpan? RttVariation { get; private set; }

    /// <summary>The last round trip taken as a sample (an ambiguous answer's is not); null before the first.</summary>
    public TimeSpan? LastSample { get; private set; }

    /// <summary>How many samples the estimate rests on.</summary>
    public int Samples { get; private set; }

    /// <summary>How many timeouts in a row have doubled <see cref="Timeout"/> since the last sample.</summary>
    public int Backoffs { get; private set; }

    /// <summary>RTO: how long to wait for the answer to a question sent now before counting it missed.</summary>
    public TimeSpan Timeout => _timeout;

    /// <summary>
    /// An answer came back <paramref name="roundTrip"/> after its question was sent. <paramref name="retransmitted"/>:
    /// the question had been asked again before the answer came, so which send it answers is unknown (Karn's rule:
    /// not a sample, and the backed-off timeout stays). Returns whether it was taken as a sample.
    /// </summary>
    public bool OnAnswer(TimeSpan roundTrip, bool retransmitted)
    {
        if (roundTrip < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(roundTrip), roundTrip, "A round trip cannot be negative.");
        if (retransmitted)
            return false;
        if (SmoothedRtt is not { } srtt || RttVariation is not { } rttvar)
        {
            // RFC 6298 (2.2): the first measurement sets SRTT to it and RTTVAR to half of it.
            SmoothedRtt = roundTrip;
            RttVariation = roundTrip / 2;
        }
        else
        {
            // (2.3): RTTVAR first, from the SRTT before this sample.
            RttVariation = rttvar * (1 - Beta) + (srtt - roundTrip).Duration() * Beta;
            SmoothedRtt = srtt * (1 - Alpha) + roundTrip * Alpha;
        }
        LastSample = roundTrip;
        Samples++;
        Backoffs = 0;
        _timeout = Clamp(SmoothedRtt.Value + Max(_options.ClockGranularity, RttVariation.Value * K));
        return true;
    }

    /// <summary>The question went unanswered within <see cref="Timeout"/>: (5.5) the next waits twice as long, up to the ceiling.</summary>
    public void OnTimeout()
    {
        Backoffs++;
        _timeout = Clamp(_timeout * 2);
    }

    /// <summary>
    /// How long an exchange of <paramref name="roundTrips"/> round trips may take (a TCP connect and one request and
    /// reply are two; an authenticated handshake adds one): that many timeouts, within the floor and the ceiling.
    /// </summary>
    public TimeSpan TimeoutFor(int roundTrips)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTrips, 1);
        return _timeout.Ticks > _options.Ceiling.Ticks / roundTrips ? _options.Ceiling : Clamp(_timeout * roundTrips);
    }

    private TimeSpan Clamp(TimeSpan timeout) =>
        timeout < _options.Floor ? _options.Floor : timeout > _options.Ceiling ? _options.Ceiling : timeout;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
