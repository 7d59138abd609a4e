using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>A successor and what this peer knows of its liveness. Touched only on the peer's logical thread.</summary>
internal sealed class SuccessorLink(PeerContact contact)
{
    public PeerContact Contact { get; } = contact;

    /// <summary>The sequence number of the ping still waiting for an answer, if any.</summary>
    public uint? OutstandingPing { get; set; }

    public int MissedPings { get; set; }
}
