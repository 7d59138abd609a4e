using System.Buffers.Binary;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transfer;

/// <summary>
/// The <see cref="FrameKind.ResumeOffset"/> frame (sequence 0) a receiver answers a file header with: how many
/// bytes of the announced content it already holds, 8 bytes big-endian, 0 &lt;= offset &lt;= announced length.
/// </summary>
public static class ResumeOffset
{
    private const int PayloadLength = sizeof(long);

    public static byte[] Encode(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Span<byte> payload = stackalloc byte[PayloadLength];
        BinaryPrimitives.WriteInt64BigEndian(payload, offset);
        return FrameCodec.Encode(FrameKind.ResumeOffset, 0, payload);
    }

    /// <summary>Reads the receiver's answer to <paramref name="header"/>.</summary>
    /// <exception cref="TransferRefusedException">The receiver refused the transfer.</exception>
    /// <exception cref="ProtocolException">No answer, or a malformed one, or an offset outside the announced length.</exception>
    public static async Task<long> ReadAsync(Stream source, TransferHeader header, CancellationToken cancellationToken)
    {
        var frame = await FrameCodec.ReadAsync(source, cancellationToken).ConfigureAwait(false)
            ?? throw new ProtocolException(ProtocolError.Truncated, $"The receiver closed the stream without answering the header of {header.Name}.");
        if (frame.Kind == FrameKind.Message && MessageCodec.DecodeInStream(frame) is ErrorResponse refusal)
            throw new TransferRefusedException(refusal);
        if (frame.Kind != FrameKind.ResumeOffset)
            throw new ProtocolException(ProtocolError.UnknownFrameKind, $"Expected a resume offset, got a {frame.Kind} frame.");
        if (frame.Sequence != 0)
            throw new ProtocolException(ProtocolError.OutOfSequence, $"A resume offset has sequence 0, got {frame.Sequence}.");
        if (frame.Payload.Length != PayloadLength)
            throw new ProtocolException(ProtocolError.MalformedPayload, $"A resume offset is {PayloadLength} bytes, got {frame.Payload.Length}.");
        var offset = BinaryPrimitives.ReadInt64BigEndian(frame.Payload.Span);
        if (offset < 0 || offset > header.Length)
            throw new ProtocolException(ProtocolError.MalformedPayload, $"The receiver asks for {header.Name} from byte {offset}; it has {header.Length}.");
        return offset;
    }
}
