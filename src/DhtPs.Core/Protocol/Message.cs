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
public abstract record Message
{
    public required PeerContact Sender { get; init; }
    public required int IdBits { get; init; }
}
