using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>A successor and what this peer knows of its liveness. Touched only on the peer's logical thread.</summary>
internal sealed class SuccessorLink(PeerContact contact)
{
    public PeerContact Contact { get; } = contact;

    /// <summary>The sequence number of the ping still waiting for an answer, if any.</summary>
    public uint? OutstandingPing { get; set; }

    public int MissedPings { get; set; }

    /// <summary>Out of missed pings and being asked over TCP whether it is really gone.</summary>
    public bool Confirming { get; set; }

    /// <summary>
    /// Declared dead, yet kept because no live successor is known: a candidate that is asked again
    /// each round instead of leaving an empty list. It is no longer pinged.
    /// </summary>
    public bool Dead { get; set; }
}
