using System.Text.Json.Serialization;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A request routed hop by hop to the owner of <see cref="Key"/>: the first peer p with the key in (predecessor, p].
/// Each hop is the <see cref="Message.Sender"/>; <see cref="Origin"/> is where the request entered the ring and where
/// the owner's <see cref="RouteAnswer"/> (or, for a fetch, the file itself) goes. Lookups, stores and file requests
/// share this shape, one request-id scheme and one answer.
/// </summary>
public abstract record RoutedRequest : Message
{
    /// <summary>Names the operation at the origin, so the owner's answer finds the waiting caller.</summary>
    public required string RequestId { get; init; }
    public required ulong Key { get; init; }
    public required PeerContact Origin { get; init; }

    /// <summary>How often the request has been forwarded so far.</summary>
    public int Hops { get; init; }

    /// <summary>Set by a peer whose successor list says the receiver owns the key: it takes the request without checking its predecessor.</summary>
    public bool ToOwner { get; init; }

    /// <summary>
    /// Peers an earlier hop could not pass this request to (at most <see cref="MaxAvoided"/>): each later hop
    /// tries them last, so a peer that died since the ring last heard of it costs a request one wait, not one per hop
    /// whose fingers still name it. Absent when every hop took it.
    /// </summary>
    public IReadOnlyList<ulong>? Avoid { get; init; }

    /// <summary>Enough for the dead peers one stretch of a ring under churn holds; more are not recorded.</summary>
    public const int MaxAvoided = 8;
}

public enum RouteOutcome
{
    /// <summary>The sender owns the key (the answer to a lookup).</summary>
    Owner,

    /// <summary>The sender owns the key and takes the store.</summary>
    StoreAccepted,

    /// <summary>The sender owns the key but holds no file of that name.</summary>
    NotStored,

    /// <summary>The request could not be passed on; <see cref="RouteAnswer.Reason"/> says why.</summary>
    Unroutable,

    /// <summary>The sender owns the key and recorded its removal (<see cref="RemoveRequest"/>); <see cref="RouteAnswer.Copies"/> holders keep the tombstone.</summary>
    Removed,

    /// <summary>The answer to a <see cref="DigestRequest"/>: the holder's recorded <see cref="RouteAnswer.Version"/> and <see cref="RouteAnswer.Sha256"/> (none: a tombstone).</summary>
    Recorded,
}

/// <summary>The owner's (or a stuck hop's) answer to any <see cref="RoutedRequest"/>, sent straight to its origin.</summary>
public sealed record RouteAnswer : Message
{
    public required string RequestId { get; init; }
    public required RouteOutcome Outcome { get; init; }
    public int Hops { get; init; }
    public string? Reason { get; init; }

    /// <summary>Set by an owner that knows its first predecessor: it owns (OwnedFrom, Sender], which the origin may cache.</summary>
    public ulong? OwnedFrom { get; init; }

    /// <summary>For <see cref="RouteOutcome.Removed"/>: how many holders (the owner among them) confirmed the tombstone.</summary>
    public int? Copies { get; init; }

    /// <summary>For <see cref="RouteOutcome.Removed"/> and <see cref="RouteOutcome.Recorded"/>: the version of the tombstone or copy.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public FileVersion Version { get; init; }

    /// <summary>For <see cref="RouteOutcome.Recorded"/>: the SHA-256 the holder recorded when its copy was stored.</summary>
    public string? Sha256 { get; init; }
}
