using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>An immutable snapshot of a local peer's state, as Get-DhtPeer shows it.</summary>
public sealed record DhtPeer(
    ulong Id,
    int IdBits,
    string EndPoint,
    PeerStatus State,
    IReadOnlyList<ulong> Predecessors,
    IReadOnlyList<ulong> Successors,
    TimeSpan PingInterval,
    IReadOnlyList<PeerContact> SuccessorContacts,
    IReadOnlyList<PeerContact> PredecessorContacts,
    long MalformedInputs,
    DateTimeOffset StartTime);
