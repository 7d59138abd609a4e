using DhtPs.Core.Storage;

namespace DhtPs.Simulation.Files;

/// <summary>
/// The latest acknowledged write of a name the schedule stored from <paramref name="Origin"/>: its content and version,
/// and the peers that were ring members throughout the store, which tell whether the store was routed along the ring as
/// it is now. <see cref="Removed"/>: the latest acknowledged write removed the name (a tombstone, no content).
/// </summary>
public sealed record TrackedFile(string Name, ulong Key, byte[] Content, ulong Origin, IReadOnlySet<ulong> MembersWhenStored)
{
    public FileVersion Version { get; init; }

    public bool Removed { get; init; }

    /// <summary>Every copy of this write was on hosts that crashed before it was copied further.</summary>
    public bool IsLost { get; set; }
}
