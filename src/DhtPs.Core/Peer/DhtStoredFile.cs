using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer;

/// <summary>Why a peer holds a file, judged by the ring as the peer last saw it.</summary>
public enum DhtStoredFileRole
{
    /// <summary>Its key lies between the peer's first predecessor and the peer: the peer owns it (or knows no predecessor yet).</summary>
    Owner,

    /// <summary>Its key is owned by one of the peer's r - 1 nearest predecessors: the peer holds one of the file's copies.</summary>
    Replica,

    /// <summary>Its key belongs to another peer, whose holders this peer is not; a take-over, hand-off or release has not moved it (yet).</summary>
    Stray,
}

/// <summary>A file one local peer holds in its data path (Get-DhtStoredFile): what is on this disk, not a ring-wide view.</summary>
/// <param name="PeerId">The peer that holds it.</param>
/// <param name="Path">The file in the peer's data path.</param>
/// <param name="Sha256">Recorded when this version was stored (what readers check the bytes against).</param>
public sealed record DhtStoredFile(ulong PeerId, string Name, ulong Key, DhtStoredFileRole Role, long Length, string Sha256, string Path)
{
    /// <summary>The version held: the owner's Lamport counter and the writer's id, as counter.writer; 0.0 when never recorded.</summary>
    public FileVersion Version { get; init; }
}
