using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// SPEC §4: a newcomer asks to join. Sent first by the <see cref="Joiner"/> to the peer it knows,
/// then routed peer to peer like any routed request (each hop is the <see cref="Message.Sender"/>) until it
/// reaches the peer after which the joiner belongs. Every hop acknowledges at once; the verdict goes
/// to the joiner as <see cref="JoinAccepted"/> or <see cref="JoinRefused"/>.
/// </summary>
public sealed record JoinRequest : Message
{
    public required PeerContact Joiner { get; init; }

    /// <summary>How often the request has been forwarded so far (absent from older peers: 0).</summary>
    public int Hops { get; init; }
}

/// <summary>
/// The sender (the joiner's new predecessor) took the joiner in. <see cref="Successors"/> become the joiner's
/// successors; <see cref="Predecessors"/> are the sender's own predecessors, so the joiner knows its
/// second predecessor before the first ping arrives.
/// </summary>
public sealed record JoinAccepted : Message
{
    public required IReadOnlyList<PeerContact> Successors { get; init; }
    public IReadOnlyList<PeerContact> Predecessors { get; init; } = [];
}

/// <summary>The join cannot be done; <see cref="Code"/> says why (e.g. the id is taken).</summary>
public sealed record JoinRefused : Message
{
    public required ErrorCode Code { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// SPEC §4: the accepting peer tells its first predecessor its new successor list, itself first, then
/// the joiner. The list names the acceptor, so the message may be passed on by a peer that is not it.
/// </summary>
public sealed record SuccessorChange : Message
{
    public required IReadOnlyList<PeerContact> Successors { get; init; }
}
