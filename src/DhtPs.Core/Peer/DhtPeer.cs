using System.Net;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// An immutable snapshot of a local peer's state, as Get-DhtPeer shows it.
/// <see cref="Fingers"/>[i] is the successor of Id + 2^i as far as the peer knows (null: not known yet).
/// </summary>
public sealed record DhtPeer(
    ulong Id,
    int IdBits,
    IPEndPoint EndPoint,
    PeerStatus State,
    IReadOnlyList<ulong> Predecessors,
    IReadOnlyList<ulong> Successors,
    TimeSpan PingInterval,
    IReadOnlyList<PeerContact> SuccessorContacts,
    IReadOnlyList<PeerContact> PredecessorContacts,
    long MalformedInputs,
    DateTimeOffset StartTime)
{
    public IReadOnlyList<PeerContact?> Fingers { get; init; } = [];

    /// <summary>True when the peer speaks the authenticated wire of a ring secret; false for the open ring.</summary>
    public bool Authenticated { get; init; }

    /// <summary>Input dropped because it did not authenticate (no secret, another one, a replay), and refusals of this peer's own.</summary>
    public long AuthenticationFailures { get; init; }

    /// <summary>Connections closed at once because their source address already held its share.</summary>
    public long ConnectionsRefused { get; init; }

    /// <summary>Connections cut off for being too slow: no first frame by the deadline, or a stream below the minimum rate.</summary>
    public long SlowConnectionsCut { get; init; }

    /// <summary>The directory that keeps the files this peer stores (it may not exist before the first one).</summary>
    public string DataPath { get; init; } = "";
}
