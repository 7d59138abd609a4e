using System.Text.Json;

namespace DhtPs.Core.Protocol;

/// <summary>
/// Messages to plain frames and back: the JSON layer over <see cref="FrameCodec"/>. Decoding checks only the JSON shape;
/// a peer receives through <see cref="WireCodec"/> and <see cref="Transport.Ingest"/>, which also authenticate and validate.
/// </summary>
public static class MessageCodec
{
    public static byte[] Encode(Message message, uint sequence) =>
        FrameCodec.Encode(FrameKind.Message, sequence, JsonSerializer.SerializeToUtf8Bytes(message, MessageJsonContext.Default.Message));

    /// <summary>The frame that opens a stream connection (<see cref="FrameKind.StreamOpening"/>).</summary>
    public static byte[] EncodeOpening(Message opening, uint sequence) =>
        FrameCodec.Encode(FrameKind.StreamOpening, sequence, JsonSerializer.SerializeToUtf8Bytes(opening, MessageJsonContext.Default.Message));

    /// <summary>The message of a <see cref="FrameKind.Message"/> or <see cref="FrameKind.StreamOpening"/> frame, not yet validated.</summary>
    public static Message DecodePayload(Frame frame)
    {
        if (frame.Kind is not (FrameKind.Message or FrameKind.StreamOpening))
            throw new ProtocolException(ProtocolError.UnknownFrameKind, $"Expected a message frame, got {frame.Kind}.");
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize(frame.Payload.Span, MessageJsonContext.Default.Message);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new ProtocolException(ProtocolError.MalformedPayload, $"Message payload is not a valid message: {e.Message}");
        }
        return message ?? throw new ProtocolException(ProtocolError.MalformedPayload, "Message payload is null.");
    }

    /// <summary>
    /// A message read inside a stream after its opening (a transfer's verdict or refusal), checked on its own
    /// (<see cref="MessageValidator.CheckShape"/>): the stream's opening already passed the ingest point.
    /// </summary>
    public static Message DecodeInStream(Frame frame)
    {
        var message = DecodePayload(frame);
        if (MessageValidator.CheckShape(message) is { } problem)
            throw problem.ToException(message);
        return RemoteText.Clean(message);
    }

    /// <summary>Decodes a datagram into its sequence number and message; only message frames travel as datagrams.</summary>
    public static (uint Sequence, Message Message) Decode(ReadOnlyMemory<byte> datagram)
    {
        var frame = FrameCodec.Decode(datagram);
        if (frame.Kind != FrameKind.Message)
            throw new ProtocolException(ProtocolError.UnknownFrameKind, $"A {frame.Kind} frame cannot travel as a datagram.");
        return (frame.Sequence, DecodePayload(frame));
    }
}
