using System.Text.Json.Serialization;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A protocol message. Every message names its sender and the sender's id width,
/// so a peer of a ring with a different id width is refused at the first contact.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(PingRequest), "ping")]
[JsonDerivedType(typeof(PingResponse), "pong")]
[JsonDerivedType(typeof(ErrorResponse), "error")]
[JsonDerivedType(typeof(Acknowledgement), "ack")]
[JsonDerivedType(typeof(JoinRequest), "join")]
[JsonDerivedType(typeof(JoinAccepted), "join-accepted")]
[JsonDerivedType(typeof(JoinRefused), "join-refused")]
[JsonDerivedType(typeof(SuccessorChange), "successor-change")]
[JsonDerivedType(typeof(DepartureNotice), "departure")]
[JsonDerivedType(typeof(NeighborsRequest), "neighbors")]
[JsonDerivedType(typeof(NeighborsResponse), "neighbors-reply")]
[JsonDerivedType(typeof(StoreRequest), "store")]
[JsonDerivedType(typeof(FileRequest), "request")]
[JsonDerivedType(typeof(RouteAnswer), "route-answer")]
[JsonDerivedType(typeof(FileUpload), "file-upload")]
[JsonDerivedType(typeof(FileDelivery), "file-delivery")]
[JsonDerivedType(typeof(TakeOverRequest), "take-over")]
[JsonDerivedType(typeof(TakeOverOffer), "take-over-offer")]
[JsonDerivedType(typeof(LookupRequest), "lookup")]
public abstract record Message
{
    public required PeerContact Sender { get; init; }
    public required int IdBits { get; init; }

    /// <summary>
    /// Checks what the JSON shape cannot: a usable sender contact whose id fits the sender's
    /// own id width. Throws <see cref="ProtocolException"/> (malformed payload) otherwise.
    /// </summary>
    public virtual void Validate()
    {
        if (Sender is null)
            throw Malformed("it names no sender");
        if (IdBits is < 1 or > IdSpace.MaxBits)
            throw Malformed($"id width {IdBits} is not between 1 and {IdSpace.MaxBits}");
        if (!new IdSpace(IdBits).Contains(Sender.Id))
            throw Malformed($"sender id {Sender.Id} does not fit in {IdBits} bits");
        if (!Sender.IsReachable(out var reason))
            throw Malformed($"sender contact is unusable: {reason}");
    }

    protected ProtocolException Malformed(string reason) =>
        new(ProtocolError.MalformedPayload, $"{GetType().Name} is malformed: {reason}.");
}
