using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// SPEC §8 and §9: a file request travelling along first successors until it reaches the peer that owns
/// <see cref="Key"/>. Each hop is the <see cref="Message.Sender"/>; <see cref="Origin"/> is the peer where the
/// request entered the ring and where the owner's answer goes (<see cref="FileRouteAnswer"/>, or the file itself).
/// </summary>
public abstract record RoutedFileRequest : Message
{
    /// <summary>Names the operation at the origin, so the owner's answer finds its way back to the waiting caller.</summary>
    public required string RequestId { get; init; }
    public required string Name { get; init; }
    public required ulong Key { get; init; }
    public required PeerContact Origin { get; init; }

    /// <summary>How often the request has been forwarded so far.</summary>
    public int Hops { get; init; }

    /// <summary>Set by a peer whose first successor owns the key: the receiver takes the request without checking its predecessor.</summary>
    public bool ToOwner { get; init; }
}

/// <summary>SPEC §8: where should this file be stored? The owner accepts, then receives the bytes over a stream (<see cref="FileUpload"/>).</summary>
public sealed record StoreRequest : RoutedFileRequest;

/// <summary>SPEC §9: who has this file? The owner sends it straight to the origin (<see cref="FileDelivery"/>).</summary>
public sealed record FileRequest : RoutedFileRequest;

public enum FileRouteOutcome
{
    /// <summary>The sender owns the key and takes the store.</summary>
    StoreAccepted,

    /// <summary>The sender owns the key but holds no file of that name.</summary>
    NotStored,

    /// <summary>The request could not be passed on; <see cref="FileRouteAnswer.Reason"/> says why.</summary>
    Unroutable,
}

/// <summary>The owner's (or a stuck hop's) answer to a <see cref="RoutedFileRequest"/>, sent to its origin.</summary>
public sealed record FileRouteAnswer : Message
{
    public required string RequestId { get; init; }
    public required FileRouteOutcome Outcome { get; init; }
    public int Hops { get; init; }
    public string? Reason { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Outcome))
            throw Malformed($"outcome {(int)Outcome} is unknown");
    }
}

/// <summary>
/// Opens a stream that carries one file to be kept by the receiver (a store after <see cref="FileRouteOutcome.StoreAccepted"/>,
/// or a hand-off from a departing peer). The transfer frames follow; the receiver answers with one message frame,
/// an <see cref="Acknowledgement"/> once the file is committed or an <see cref="ErrorResponse"/>.
/// </summary>
public sealed record FileUpload : Message
{
    /// <summary>True when a departing peer hands its files over, not a user's store.</summary>
    public bool HandOff { get; init; }
}

/// <summary>
/// SPEC §9: the owner opens a stream to the origin of a <see cref="FileRequest"/> and streams the file; the origin
/// answers with one message frame once it has committed (or refused) the copy.
/// </summary>
public sealed record FileDelivery : Message
{
    public required string RequestId { get; init; }
    public int Hops { get; init; }
}
