using DhtPs.Core.Peer;

namespace DhtPs.Core.Diagnostics;

/// <summary>What kind of fault a ring check found. File checks (replicas, versions) add their own kinds later.</summary>
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
}

/// <summary>One fault of a ring, and the peer it is about (null: the ring as a whole).</summary>
public sealed record DhtRingProblem(DhtRingProblemKind Kind, ulong? PeerId, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// Test-DhtRing's answer: the members walked in ring order, as each described itself, and what is wrong with them.
/// Only the ring's structure is checked for now; the file checks of the durability work add to <see cref="Problems"/>.
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

    /// <summary>The walk this report was made from.</summary>
    internal RingWalk Walk => new(Members, Closed, WalkProblem);
}
