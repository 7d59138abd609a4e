namespace DhtPs.Core.Peer;

/// <summary>Why a peer holds a file, judged by the ring as the peer last saw it.</summary>
public enum DhtStoredFileRole
{
    /// <summary>Its key lies between the peer's first predecessor and the peer: the peer owns it (or knows no predecessor yet).</summary>
    Owner,

    /// <summary>Its key belongs to another peer; a take-over or hand-off has not moved it there (yet).</summary>
    Stray,
}

/// <summary>A file one local peer holds in its data path (Get-DhtStoredFile): what is on this disk, not a ring-wide view.</summary>
/// <param name="PeerId">The peer that holds it.</param>
/// <param name="Path">The file in the peer's data path.</param>
public sealed record DhtStoredFile(ulong PeerId, string Name, ulong Key, DhtStoredFileRole Role, long Length, string Sha256, string Path);
