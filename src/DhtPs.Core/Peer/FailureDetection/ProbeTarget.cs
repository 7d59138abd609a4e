using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// What the <see cref="FailureDetector"/> knows of one live successor it probes: the ping still waiting for an answer,
/// how many went unanswered in a row, and whether it is being asked over TCP. This is where more per-target knowledge
/// goes (a round-trip estimate, a SWIM incarnation). Touched only on the peer's logical thread.
/// </summary>
internal sealed class ProbeTarget(PeerContact contact, int rank)
{
    public PeerContact Contact { get; } = contact;

    /// <summary>Its place in the successor list, 1 for the first: the rank its pings name.</summary>
    public int Rank { get; set; } = rank;

    /// <summary>The sequence number of the ping still waiting for an answer, if any.</summary>
    public uint? OutstandingPing { get; set; }

    public int MissedPings { get; set; }

    /// <summary>Out of missed pings and being asked over TCP whether it is really gone.</summary>
    public bool Confirming { get; set; }

    /// <summary>A suspect: it missed a ping and has not answered since.</summary>
    public bool Suspected => MissedPings > 0;
}
