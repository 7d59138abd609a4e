using System.Buffers.Binary;
using System.Text;
using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Transfer;

/// <summary>
/// What a sender announces before the content: the file's name, its length and its SHA-256 (lowercase hex).
/// Payload of the <see cref="FrameKind.FileHeader"/> frame (big-endian):
/// <code>
///  0  8  length (signed, must be >= 0)
///  8 32  SHA-256 of the content
/// 40  n  name, UTF-8 (a safe file name, at most 255 bytes)
/// </code>
/// </summary>
public sealed record TransferHeader(string Name, long Length, string Sha256)
{
    private const int FixedLength = 8 + FileDigest.Length;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public byte[] Encode()
    {
        FileName.EnsureSafe(Name);
        ArgumentOutOfRangeException.ThrowIfNegative(Length);
        var payload = new byte[FixedLength + StrictUtf8.GetByteCount(Name)];
        BinaryPrimitives.WriteInt64BigEndian(payload, Length);
        FileDigest.Parse(Sha256).CopyTo(payload, 8);
        StrictUtf8.GetBytes(Name, payload.AsSpan(FixedLength));
        return payload;
    }

    /// <exception cref="ProtocolException">The payload is not a header, or announces a negative length.</exception>
    /// <exception cref="UnsafeFileNameException">The announced name is not a safe file name.</exception>
    public static TransferHeader Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length <= FixedLength)
            throw new ProtocolException(ProtocolError.MalformedPayload, $"A file header needs more than {FixedLength} bytes, got {payload.Length}.");
        var length = BinaryPrimitives.ReadInt64BigEndian(payload);
        if (length < 0)
            throw new ProtocolException(ProtocolError.MalformedPayload, $"A file header announces a negative length ({length}).");
        string name;
        try
        {
            name = StrictUtf8.GetString(payload[FixedLength..]);
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolException(ProtocolError.MalformedPayload, "A file header's name is not valid UTF-8.");
        }
        FileName.EnsureSafe(name);
        return new TransferHeader(name, length, Convert.ToHexStringLower(payload[8..FixedLength]));
    }
}
