namespace DhtPs.Core.Protocol;

public enum FrameKind : byte
{
    /// <summary>A JSON-encoded <see cref="Message"/>.</summary>
    Message = 1,

    /// <summary>A chunk of file content; an empty one ends the transfer.</summary>
    Data = 2,

    /// <summary>The header that opens a file transfer: length, SHA-256 and name.</summary>
    FileHeader = 3,

    /// <summary>A JSON-encoded <see cref="Message"/> that turns its connection into a stream for what it announces (a file).</summary>
    StreamOpening = 4,

    /// <summary>A receiver's answer to a file header: how many bytes of that content it already holds, where the sender starts.</summary>
    ResumeOffset = 5,
}

/// <summary>One decoded frame: what it carries, its sequence number, and its payload bytes.</summary>
public readonly record struct Frame(FrameKind Kind, uint Sequence, ReadOnlyMemory<byte> Payload);
