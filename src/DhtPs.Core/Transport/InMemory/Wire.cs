using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>
/// A message as it travels an <see cref="InMemoryNetwork"/>: the object itself, or, when the network round-trips
/// through the codec, the datagram the sender's <see cref="WireCodec"/> made of it (simulated streams carry each
/// message as one such datagram, so a ring secret authenticates them too).
/// </summary>
internal readonly record struct Wire(Message? Object, byte[]? Frame)
{
    public static Wire Encode(InMemoryNetwork network, WireCodec codec, Message message, uint sequence) =>
        network.RoundTripThroughCodec ? new Wire(null, codec.EncodeDatagram(message, sequence)) : new Wire(message, null);

    /// <summary>The message as the receiver's codec reads it. Throws <see cref="ProtocolException"/> for bytes that do not decode.</summary>
    public Message Decode(WireCodec codec) => Object ?? codec.DecodeDatagram(Frame).Message;
}
