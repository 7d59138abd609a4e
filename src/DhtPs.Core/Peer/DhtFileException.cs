namespace DhtPs.Core.Peer;

public enum DhtFileFailure
{
    /// <summary>The peer that owns the key holds no file of that name.</summary>
    NotFound,

    /// <summary>The request could not travel the ring (a hop was unreachable or it went round too often).</summary>
    Unroutable,

    /// <summary>No answer came within the time allowed.</summary>
    TimedOut,

    /// <summary>The bytes did not arrive whole: cut off, corrupted, or refused by the receiver; nothing was kept.</summary>
    TransferFailed,

    /// <summary>The peer is not running (it is joining, departing or stopped).</summary>
    NotRunning,
}

/// <summary>A store or fetch that did not complete; <see cref="PeerId"/> names the peer concerned, when one is known.</summary>
public sealed class DhtFileException(DhtFileFailure failure, string message, ulong? peerId = null, Exception? inner = null)
    : Exception(message, inner)
{
    public DhtFileFailure Failure { get; } = failure;
    public ulong? PeerId { get; } = peerId;
}
