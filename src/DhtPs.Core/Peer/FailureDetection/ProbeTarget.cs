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


    /// <summary>Out of missed pings and being asked over TCP whether it is really gone.</summary>
    public bool Confirming { get; set; }

    /// <summary>A suspect: it missed a ping and has not answered since.</summary>
    public bool Suspected => MissedPings > 0;

    /// <summary>No ping waits for an answer any more (answered, or the target left the list).</summary>
    public void StopWaiting()
    {
        PingTimeout?.Dispose();
        PingTimeout = null;
    }
}
