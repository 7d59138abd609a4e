using System.Buffers.Binary;

namespace DhtPs.Core.Protocol;

/// <summary>
/// The wire frame shared by UDP and TCP (big-endian):
/// <code>
///  0  2  magic "DH"
///  2  1  version (1)
///  3  1  kind
///  4  4  sequence number
///  8  4  payload length
/// 12  n  payload
/// 12+n 4 CRC-32 of bytes [0, 12+n)
/// </code>
/// Length is checked against <see cref="MaxPayloadLength"/> before anything is allocated.
/// </summary>
public static class FrameCodec
{
    public const int HeaderLength = 12;
    public const int ChecksumLength = 4;
    public const int MaxPayloadLength = 60 * 1024;
    public const int MaxFrameLength = HeaderLength + MaxPayloadLength + ChecksumLength;
    public const byte Version = 1;
    private const ushort Magic = 0x4448; // "DH"

    /// <summary>"DA": what an authenticated datagram or handshake starts with (protocol.md §9), never a plain frame.</summary>
    public static ReadOnlySpan<byte> AuthenticatedMagic => "DA"u8;

    public static bool IsPlainMagic(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(bytes) == Magic;

    public static bool IsAuthenticatedMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith(AuthenticatedMagic);

    public static int FrameLength(int payloadLength) => HeaderLength + payloadLength + ChecksumLength;

    public static byte[] Encode(FrameKind kind, uint sequence, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayloadLength)
            throw new ProtocolException(ProtocolError.Oversized, $"Payload of {payload.Length} bytes exceeds the {MaxPayloadLength}-byte limit.");
        var frame = new byte[FrameLength(payload.Length)];
        payload.CopyTo(frame.AsSpan(HeaderLength));
        Seal(frame, kind, sequence, payload.Length);
        return frame;
    }

    /// <summary>
    /// Writes header and checksum around a payload already placed at <c>frame[HeaderLength..]</c>,
    /// so a sender can read content straight into a reused frame buffer. Returns the frame length.
    /// </summary>
    public static int Seal(Span<byte> frame, FrameKind kind, uint sequence, int payloadLength)
    {
        if (payloadLength is < 0 or > MaxPayloadLength)
            throw new ProtocolException(ProtocolError.Oversized, $"Payload of {payloadLength} bytes exceeds the {MaxPayloadLength}-byte limit.");
        BinaryPrimitives.WriteUInt16BigEndian(frame, Magic);
        frame[2] = Version;
        frame[3] = (byte)kind;
        BinaryPrimitives.WriteUInt32BigEndian(frame[4..], sequence);
        BinaryPrimitives.WriteInt32BigEndian(frame[8..], payloadLength);
        var checked_ = frame[..(HeaderLength + payloadLength)];
        BinaryPrimitives.WriteUInt32BigEndian(frame[checked_.Length..], FrameChecksum.Compute(checked_));
        return FrameLength(payloadLength);
    }

    /// <summary>Validates a header and returns the payload length it announces.</summary>
    public static int ReadHeader(ReadOnlySpan<byte> header, out FrameKind kind, out uint sequence)
    {
        if (header.Length < HeaderLength)
            throw new ProtocolException(ProtocolError.Truncated, $"Frame header needs {HeaderLength} bytes, got {header.Length}.");
        if (IsAuthenticatedMagic(header))
            throw new ProtocolException(ProtocolError.Unauthenticated, "The input is authenticated with a ring secret; this peer has none (an open ring).");
        if (BinaryPrimitives.ReadUInt16BigEndian(header) != Magic)
            throw new ProtocolException(ProtocolError.BadMagic, "Not a DhtPs frame (bad magic).");
        if (header[2] != Version)
            throw new ProtocolException(ProtocolError.UnsupportedVersion, $"Unsupported frame version {header[2]}.");
        kind = (FrameKind)header[3];
        if (!Enum.IsDefined(kind))
            throw new ProtocolException(ProtocolError.UnknownFrameKind, $"Unknown frame kind {header[3]}.");
        sequence = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        var length = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        if (length is < 0 or > MaxPayloadLength)
            throw new ProtocolException(ProtocolError.Oversized, $"Frame announces {length} payload bytes; the limit is {MaxPayloadLength}.");
        return length;
    }

    /// <summary>Decodes exactly one frame occupying all of <paramref name="bytes"/> (a datagram).</summary>
    public static Frame Decode(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        var length = ReadHeader(span, out var kind, out var sequence);
        if (span.Length != FrameLength(length))
            throw new ProtocolException(ProtocolError.Truncated, $"Frame announces {FrameLength(length)} bytes, datagram has {span.Length}.");
        VerifyChecksum(span);
        return new Frame(kind, sequence, bytes.Slice(HeaderLength, length));
    }

    /// <summary>Reads one frame from a stream; null at a clean end of stream before a header starts.</summary>
    public static Task<Frame?> ReadAsync(Stream stream, CancellationToken cancellationToken) =>
        ReadAsync(stream, buffer: null, cancellationToken);

    /// <summary>
    /// Reads one frame into <paramref name="buffer"/> (at least <see cref="MaxFrameLength"/> bytes) so a
    /// long stream of frames is read with constant memory; the returned payload is valid until the next read.
    /// With a null buffer, one is allocated to fit the frame.
    /// </summary>
    public static async Task<Frame?> ReadAsync(Stream stream, byte[]? buffer, CancellationToken cancellationToken)
    {
        if (buffer is not null && buffer.Length < MaxFrameLength)
            throw new ArgumentException($"A frame buffer needs {MaxFrameLength} bytes.", nameof(buffer));
        var header = buffer ?? new byte[HeaderLength];
        var read = await stream.ReadAtLeastAsync(header.AsMemory(0, HeaderLength), HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
            return null;
        if (read < HeaderLength)
            throw new ProtocolException(ProtocolError.Truncated, $"Stream ended inside a frame header ({read} of {HeaderLength} bytes).");
        var length = ReadHeader(header, out _, out _);
        var frame = buffer ?? new byte[FrameLength(length)];
        if (buffer is null)
            header.CopyTo(frame, 0);
        var rest = frame.AsMemory(HeaderLength, FrameLength(length) - HeaderLength);
        read = await stream.ReadAtLeastAsync(rest, rest.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < rest.Length)
            throw new ProtocolException(ProtocolError.Truncated, $"Stream ended inside a frame ({HeaderLength + read} of {FrameLength(length)} bytes).");
        return Decode(frame.AsMemory(0, FrameLength(length)));
    }

    private static void VerifyChecksum(ReadOnlySpan<byte> frame)
    {
        var body = frame[..^ChecksumLength];
        var expected = BinaryPrimitives.ReadUInt32BigEndian(frame[^ChecksumLength..]);
        if (FrameChecksum.Compute(body) != expected)
            throw new ProtocolException(ProtocolError.ChecksumMismatch, "Frame checksum does not match its contents.");
    }
}
