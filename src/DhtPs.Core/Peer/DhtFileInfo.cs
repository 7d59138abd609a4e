using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer;

/// <summary>
/// A file stored in or fetched from the ring: its name and key, the peer that holds it, its length and SHA-256,
/// how many times the request was forwarded on its way to that peer, and how long the whole operation took.
/// <see cref="Path"/> is the local copy a fetch wrote (null for a store); <see cref="Replicas"/> the copies a store made.
/// </summary>
public sealed record DhtFileInfo(string Name, ulong Key, ulong StoredAt, long Length, string Sha256, int Hops, TimeSpan Elapsed, string? Path = null)
{
    /// <summary>For a store: how many peers (the owner among them) confirmed a durable copy when it was acknowledged. Null for a fetch.</summary>
    public int? Replicas { get; init; }

    /// <summary>The version stored (given by the owner) or fetched (what the holder sent).</summary>
    public FileVersion Version { get; init; }
}
