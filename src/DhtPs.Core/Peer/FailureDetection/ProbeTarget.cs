using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// What the <see cref="FailureDetector"/> knows of one live successor it probes: its round-trip estimate, the ping still
/// waiting for an answer (when it went out, whether it was a re-ping, the timer that counts it missed), how many went
/// unanswered in a row, and whether it is being asked over TCP. Touched only on the peer's logical thread.
/// </summary>
internal sealed class ProbeTarget(PeerContact contact, int rank, RttEstimatorOptions rttOptions)
{
    public PeerContact Contact { get; } = contact;

    /// <summary>Its place in the successor list, 1 for the first: the rank its pings name.</summary>
    public int Rank { get; set; } = rank;

    /// <summary>Its round trips, as RFC 6298 smooths them: how long a ping to it waits.</summary>
    public RttEstimator Rtt { get; } = new(rttOptions);

    /// <summary>The sequence number of the last ping sent and not answered since, if any (kept after its timeout, so a late answer is known).</summary>
    public uint? OutstandingPing { get; set; }

    /// <summary>When <see cref="OutstandingPing"/> went out.</summary>
    public DateTimeOffset SentAt { get; set; }

    /// <summary><see cref="OutstandingPing"/> re-asks after a miss: its answer is no round-trip sample (Karn's rule).</summary>
    public bool Resent { get; set; }

    /// <summary>Counts a re-ping missed when it fires; null when none is waiting (a round's ping waits for the next round).</summary>
    public ITimer? PingTimeout { get; set; }

    public int MissedPings { get; set; }

    /// <summary>The sequence numbers of the pings sent to it since its last answer, newest last, at most <see cref="MaxAwaited"/>.</summary>
    private readonly List<uint> _awaited = [];

    /// <summary>More unanswered pings than a suspect's re-pings ever make; older ones are no longer awaited.</summary>
    private const int MaxAwaited = 16;

    /// <summary>A ping with <paramref name="sequence"/> went to it: an answer under that number will count.</summary>
    public void Sent(uint sequence)
    {
        if (_awaited.Count == MaxAwaited)
            _awaited.RemoveAt(0);
        _awaited.Add(sequence);
    }

    /// <summary>
    /// Whether an answer under <paramref name="sequence"/> answers a ping sent to it since its last answer; if so, none
    /// is awaited any more (a duplicate or a replay of it then counts for nothing).
    /// </summary>
    public bool Answers(uint sequence)
    {
        if (!_awaited.Contains(sequence))
            return false;
        _awaited.Clear();
        return true;
    }

    /// <summary>Out of missed pings and being asked over TCP whether it is really gone.</summary>
    public bool Confirming { get; set; }

    /// <summary>The indirect probes of its current suspicion, if any were sent (ended when it answers or leaves the list).</summary>
    public IndirectProbe? Indirect { get; set; }

    /// <summary>Deaths of it that other peers told while it was a suspect: independent confirmations (Lifeguard).</summary>
    public int DeathsHeard { get; set; }

    /// <summary>How long the question over TCP under way (<see cref="Confirming"/>) waits.</summary>
    public TimeSpan ConfirmWait { get; set; }

    /// <summary>The question over TCP asked at its first miss, while its verdict is awaited (it counts only for the suspicion it was asked in).</summary>
    public object? FirstMissQuestion { get; set; }

    /// <summary>Out of missed pings, but the helpers' answers are still awaited before it is asked over TCP.</summary>
    public bool AwaitingHelpers { get; set; }

    /// <summary>The suspicion is over (it answered, directly or through a helper): its indirect probes end with it.</summary>
    public void Cleared()
    {
        Indirect?.End();
        Indirect = null;
        (DeathsHeard, AwaitingHelpers, FirstMissQuestion) = (0, false, null);
    }

    /// <summary>A suspect: it missed a ping and has not answered since.</summary>
    public bool Suspected => MissedPings > 0;

    /// <summary>No ping waits for an answer any more (answered, or the target left the list).</summary>
    public void StopWaiting()
    {
        PingTimeout?.Dispose();
        PingTimeout = null;
    }
}
