namespace DhtPs.Simulation.Files;

/// <summary>
/// A file the schedule stored successfully from <paramref name="Origin"/>: its content, and the peers that were ring
/// members throughout the store, which tell whether the store was routed along the ring as it is now.
/// </summary>
public sealed record TrackedFile(string Name, ulong Key, byte[] Content, ulong Origin, IReadOnlySet<ulong> MembersWhenStored)
{
    /// <summary>Its only copy was on a host that crashed (there is no replication yet).</summary>
    public bool IsLost { get; set; }
}
