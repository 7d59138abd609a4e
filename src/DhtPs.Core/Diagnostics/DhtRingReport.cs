using DhtPs.Core.Peer;

namespace DhtPs.Core.Diagnostics;

/// <summary>What kind of fault a ring check found: in the ring's structure, or in its files.</summary>
public enum DhtRingProblemKind
{
    /// <summary>The walk along first successors did not come back to where it started.</summary>
    WalkIncomplete,
    /// <summary>The walk did not visit the members in identifier order (one wrap past the top).</summary>
    OutOfOrder,
    /// <summary>A member's successor list is not the next members of the ring.</summary>
    SuccessorMismatch,
    /// <summary>A member's predecessor list is not the previous members of the ring.</summary>
    PredecessorMismatch,
    /// <summary>A member that was expected is not on the ring.</summary>
    MissingMember,
    /// <summary>A member is on the ring that was not expected.</summary>
    UnexpectedMember,
    /// <summary>The ring has another number of members than expected.</summary>
    MemberCount,
    /// <summary>A member did not list its files (unreachable, refused, or a ring of an older version).</summary>
    FilesUnlisted,
    /// <summary>Fewer of a file's expected holders than its replication factor hold its latest version.</summary>
    UnderReplicated,
    /// <summary>Some copy of a file holds another version or other bytes, or lies outside its expected holders.</summary>
    InconsistentCopies,
}

/// <summary>One fault of a ring, and the peer it is about (null: the ring as a whole).</summary>
public sealed record DhtRingProblem(DhtRingProblemKind Kind, ulong? PeerId, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// Test-DhtRing's answer: the members walked in ring order, as each described itself, every file they hold with its
/// owner, holders and versions (<see cref="Files"/>), and what is wrong with them.
/// </summary>
public sealed record DhtRingReport(
    string Start,
    DateTimeOffset Time,
    IReadOnlyList<DhtRingMember> Members,
    bool Closed,
    string? WalkProblem,
    IReadOnlyList<DhtRingProblem> Problems)
{
    public bool IsHealthy => Problems.Count == 0;

    public IReadOnlyList<ulong> MemberIds => Members.Select(m => m.Id).ToArray();

    /// <summary>Every file a member holds, with its latest version, expected holders and copies; empty when files were not checked.</summary>
    public IReadOnlyList<DhtRingFile> Files { get; init; } = [];

    public IReadOnlyList<DhtRingFile> UnderReplicated => [.. Files.Where(f => f.IsUnderReplicated)];

    public IReadOnlyList<DhtRingFile> Inconsistent => [.. Files.Where(f => f.IsInconsistent)];

    /// <summary>The walk this report was made from.</summary>
    internal RingWalk Walk => new(Members, Closed, WalkProblem);
}
