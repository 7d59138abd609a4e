namespace DhtPs.Core.Protocol;

public enum FrameKind : byte
{
    /// <summary>A JSON-encoded <see cref="Message"/>.</summary>
    Message = 1,
}

/// <summary>One decoded frame: what it carries, its sequence number, and its payload bytes.</summary>
public readonly record struct Frame(FrameKind Kind, uint Sequence, ReadOnlyMemory<byte> Payload);
