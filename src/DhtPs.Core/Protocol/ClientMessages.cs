using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// Opens a stream from a client — a process that runs no peer — to an entry peer, which carries the operation
/// out as its origin and answers on the same connection, so the client needs no listening socket of its own.
/// The client names itself by its connection's local endpoint, with id 0.
/// </summary>
public abstract record ClientRequest : Message
{
    /// <summary>The longest a client may give the ring to answer: an hour, as the cmdlets' -Timeout.</summary>
    public const int MaxTimeoutMilliseconds = 3_600_000;

    /// <summary>How long the entry peer may wait for the ring (the owner's answer), in milliseconds.</summary>
    public required int TimeoutMilliseconds { get; init; }
}

/// <summary>
/// Store a file as <see cref="Name"/>: the entry peer answers <see cref="Acknowledgement"/> (send it) or a refusal;
/// the client sends the transfer (header, resume offset, data frames); the entry peer stores it in the ring as origin
/// and answers <see cref="ClientFileDone"/> or <see cref="ClientFailure"/>.
/// </summary>
public sealed record ClientStore : ClientRequest
{
    public required string Name { get; init; }
}

/// <summary>
/// Fetch <see cref="Name"/>: the entry peer fetches it from the ring as origin and answers <see cref="ClientFileDone"/>,
/// then sends the transfer (the client answers the header with its resume offset, and confirms with an
/// <see cref="Acknowledgement"/> or an <see cref="ErrorResponse"/>); or it answers <see cref="ClientFailure"/>.
/// </summary>
public sealed record ClientFetch : ClientRequest
{
    public required string Name { get; init; }
}

/// <summary>Remove file <see cref="Name"/> from the ring; answered with <see cref="ClientFileDone"/> (the tombstone: no bytes) or <see cref="ClientFailure"/>.</summary>
public sealed record ClientRemove : ClientRequest
{
    public required string Name { get; init; }
}

/// <summary>Who owns <see cref="Key"/>, or the key of file <see cref="Name"/> (exactly one is given)? Answered with <see cref="ClientLookupDone"/> or <see cref="ClientFailure"/>.</summary>
public sealed record ClientLookup : ClientRequest
{
    public string? Name { get; init; }
    public ulong? Key { get; init; }
}

/// <summary>A store or fetch done for a client: where the file is and what it is. The sender's id width is the ring's.</summary>
public sealed record ClientFileDone : Message
{
    public required string Name { get; init; }
    public required ulong Key { get; init; }
    public required ulong StoredAt { get; init; }
    public required long Length { get; init; }
    public required string Sha256 { get; init; }
    public int Hops { get; init; }

    /// <summary>For a store: the copies confirmed (<see cref="Peer.DhtFileInfo.Replicas"/>); left out for a fetch.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Replicas { get; init; }

    /// <summary>The version stored, fetched or removed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public Storage.FileVersion Version { get; init; }
}

/// <summary>A lookup done for a client.</summary>
public sealed record ClientLookupDone : Message
{
    public required ulong Key { get; init; }
    public required PeerContact Owner { get; init; }
    public int Hops { get; init; }
}

public enum ClientFailureKind
{
    /// <summary>The file's owner holds no file of that name.</summary>
    NotFound,

    /// <summary>The request could not be routed to the owner.</summary>
    Unroutable,

    /// <summary>The ring did not answer within the client's timeout, or a transfer stalled.</summary>
    TimedOut,

    /// <summary>The bytes did not arrive whole; nothing was kept.</summary>
    TransferFailed,

    /// <summary>The entry peer is joining, departing or stopped.</summary>
    NotRunning,

    /// <summary>The request itself is unusable (an unsafe name, a key outside the ring).</summary>
    Invalid,
}

/// <summary>Why the entry peer could not do what a client asked; <see cref="Reason"/> is meant for a person.</summary>
public sealed record ClientFailure : Message
{
    public required ClientFailureKind Failure { get; init; }
    public required string Reason { get; init; }

    /// <summary>The peer concerned (the owner, say), when one is known.</summary>
    public ulong? PeerId { get; init; }
}
