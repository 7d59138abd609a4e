namespace DhtPs.Core.Protocol;

/// <summary>
/// Test-DhtRing asks a member which files it holds (its index: versions, recorded digests, tombstones), a page at a
/// time in name order from after <see cref="After"/>. Answered with <see cref="StoredFilesReply"/>.
/// </summary>
public sealed record StoredFilesRequest : Message
{
    /// <summary>The last name of the page before; null for the first page.</summary>
    public string? After { get; init; }
}

/// <summary>One page of a member's files (at most <see cref="MessageValidator.MaxReplicaEntries"/>), and how many copies it keeps of each.</summary>
public sealed record StoredFilesReply : Message
{
    public required IReadOnlyList<ReplicaEntry> Files { get; init; }

    /// <summary>True when names after the last one listed follow.</summary>
    public bool More { get; init; }

    /// <summary>The member's -ReplicationFactor: how many peers, its owner first, should hold each file.</summary>
    public required int ReplicationFactor { get; init; }
}
