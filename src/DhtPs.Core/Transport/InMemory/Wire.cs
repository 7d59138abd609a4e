using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>
/// A message as it travels an <see cref="InMemoryNetwork"/>: the object itself, or its encoded frame
/// when the network round-trips through <see cref="MessageCodec"/> to exercise the codec.
/// </summary>
internal readonly record struct Wire(Message? Object, byte[]? Frame)
{
    public static Wire Encode(InMemoryNetwork network, Message message, uint sequence) =>
        network.RoundTripThroughCodec ? new Wire(null, MessageCodec.Encode(message, sequence)) : new Wire(message, null);

    /// <summary>The message as the receiver sees it. Throws <see cref="ProtocolException"/> for a frame that does not decode.</summary>
    public Message Decode() => Object ?? MessageCodec.Decode(Frame).Message;
}
