namespace DhtPs.Core.Protocol;

public enum ProtocolError
{
    Truncated,
    BadMagic,
    UnsupportedVersion,
    UnknownFrameKind,
    Oversized,
    ChecksumMismatch,
    MalformedPayload,
    OutOfSequence,
    LengthMismatch,

    /// <summary>The input does not carry this ring's authentication: no secret, another secret, a replay or a forgery.</summary>
    Unauthenticated,
}

/// <summary>Bytes that are not a valid frame or message. Never fatal to a peer: the input is dropped and counted.</summary>
public sealed class ProtocolException(ProtocolError error, string message) : Exception(message)
{
    public ProtocolError Error { get; } = error;
}
