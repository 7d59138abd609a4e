using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// Who owns <see cref="Key"/>? Forwarded from peer to peer, each time to the closest peer before the key that the
/// sender knows (fingers first, successors as the fallback), until it reaches the owner: the first peer p with the
/// key in (predecessor, p]. The owner answers <see cref="Origin"/> directly (<see cref="LookupAnswer"/>).
/// </summary>
public sealed record LookupRequest : Message
{
    /// <summary>Names the lookup at the origin, so the answer finds the waiting caller.</summary>
    public required string RequestId { get; init; }
    public required ulong Key { get; init; }
    public required PeerContact Origin { get; init; }

    /// <summary>How often the lookup has been forwarded so far.</summary>
    public int Hops { get; init; }

    /// <summary>Set by a peer whose successor list says the receiver owns the key: it answers without checking its predecessor.</summary>
    public bool ToOwner { get; init; }
}

public enum LookupOutcome
{
    /// <summary>The sender owns the key.</summary>
    Owner,

    /// <summary>The lookup could not be passed on; <see cref="LookupAnswer.Reason"/> says why.</summary>
    Unroutable,
}

/// <summary>The owner's (or a stuck hop's) answer to a <see cref="LookupRequest"/>, sent to its origin.</summary>
public sealed record LookupAnswer : Message
{
    public required string RequestId { get; init; }
    public required LookupOutcome Outcome { get; init; }
    public int Hops { get; init; }
    public string? Reason { get; init; }
}
