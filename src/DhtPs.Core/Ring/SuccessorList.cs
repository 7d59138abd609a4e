namespace DhtPs.Core.Ring;

/// <summary>
/// The pure rules behind every successor-list change (join, departure, repair):
/// candidates are merged, the owner and the peers known to be gone are dropped,
/// and what is left is kept in ring order from the owner, nearest first.
/// </summary>
public static class SuccessorList
{
    /// <summary>The successor-list length of the original program: first and second successor.</summary>
    public const int DefaultLength = 2;

    /// <summary>The longest successor list a peer keeps; what the wire accepts in any list of peers follows from it.</summary>
    public const int MaxLength = 32;

    public static IReadOnlyList<PeerContact> Compose(
        IdSpace space, ulong owner, IEnumerable<PeerContact> candidates, IReadOnlySet<ulong>? gone = null, int length = DefaultLength) =>
        candidates
            .Where(c => c.Id != owner && gone?.Contains(c.Id) != true)
            .DistinctBy(c => c.Id)
            .OrderBy(c => space.Distance(owner, c.Id))
            .Take(length)
            .ToArray();

    /// <summary>
    /// SPEC §4, the joiner's successors: the accepting peer's successors, with the accepting
    /// peer itself appended for the small rings (1 or 2 members) where that list is short.
    /// </summary>
    public static IReadOnlyList<PeerContact> ForJoiner(IdSpace space, PeerContact joiner, PeerContact acceptor, IReadOnlyList<PeerContact> acceptorSuccessors,
        int length = DefaultLength) =>
        Compose(space, joiner.Id, [.. acceptorSuccessors, acceptor], length: length);
}
