namespace DhtPs.Core.Protocol;

public enum ErrorCode
{
    UnsupportedRequest,
    IdBitsMismatch,
    NotRunning,
    Invalid,
    IdTaken,
    IdOutOfRange,
    Unreachable,
    NotJoining,
    InternalError,

    /// <summary>A file upload nobody asked this peer to keep: no accepted store, or keys it does not own.</summary>
    Unsolicited,

    /// <summary>An announced file is longer than the receiver's limit.</summary>
    TooLarge,

    /// <summary>The receiver's drive has not enough free space for an announced file, or its bound on partial uploads would be passed.</summary>
    NoSpace,

    /// <summary>A take-over of a file the newcomer already holds (stored there since it joined, so newer).</summary>
    AlreadyStored,

    /// <summary>
    /// The input was not authenticated with this ring's secret (none, another one, a replay). Sent as a plain frame,
    /// since the two sides share no key; the receiver raises it as an authentication failure, never as a dead peer.
    /// </summary>
    AuthenticationFailed,

    /// <summary>The owner kept a stored file, but fewer of its holders than the write quorum confirmed a copy: the store is not acknowledged.</summary>
    QuorumNotReached,

    /// <summary>The bytes a holder sent do not match the SHA-256 it announced (recorded when the file was stored): its copy is corrupt.</summary>
    ContentMismatch,
}

/// <summary>A request was refused; <see cref="Reason"/> is meant for a person.</summary>
public sealed record ErrorResponse : Message
{
    public required ErrorCode Code { get; init; }
    public required string Reason { get; init; }
}
