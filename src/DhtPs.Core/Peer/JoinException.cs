namespace DhtPs.Core.Peer;

public enum JoinFailure
{
    /// <summary>A member of the ring already has this id.</summary>
    IdTaken,

    /// <summary>The id is outside the ring's id space.</summary>
    IdOutOfRange,

    /// <summary>The ring uses another id width.</summary>
    IdBitsMismatch,

    /// <summary>The known peer (or a peer on the way) could not be reached.</summary>
    Unreachable,

    /// <summary>No verdict arrived before the deadline.</summary>
    TimedOut,

    /// <summary>Only a lone peer can join a ring.</summary>
    AlreadyInRing,

    /// <summary>Refused for another reason; the message says which.</summary>
    Refused,
}

/// <summary>A join that did not happen; the peer is left as it was, a ring of one.</summary>
public sealed class JoinException(JoinFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public JoinFailure Failure { get; } = failure;
}
