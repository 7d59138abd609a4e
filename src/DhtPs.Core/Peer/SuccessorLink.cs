using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>A place in the successor list: who, and whether it was declared dead. Touched only on the peer's logical thread.</summary>
internal sealed class SuccessorLink(PeerContact contact)
{
    public PeerContact Contact { get; } = contact;

    /// <summary>
    /// Declared dead, yet kept because no live successor is known: a candidate that is asked again
    /// each round instead of leaving an empty list. It is no longer pinged.
    /// </summary>
    public bool Dead { get; set; }
}
