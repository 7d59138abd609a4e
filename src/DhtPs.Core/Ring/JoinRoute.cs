namespace DhtPs.Core.Ring;

/// <summary>What a peer does with a join request that reaches it (SPEC §4).</summary>
public enum JoinVerdict
{
    /// <summary>The joiner belongs right after this peer: take it in.</summary>
    Accept,

    /// <summary>The joiner belongs further on: pass the request to the first successor.</summary>
    Forward,

    /// <summary>A member of the ring already has the joiner's id.</summary>
    IdTaken,
}

public static class JoinRoute
{
    /// <summary>
    /// Where a join belongs: after <paramref name="self"/> when the joiner falls strictly between it and its
    /// first successor (wrapping past the top). A peer with no successor is a ring of one and takes anyone.
    /// </summary>
    public static JoinVerdict Decide(IdSpace space, ulong self, ulong? firstSuccessor, ulong joiner)
    {
        if (joiner == self || joiner == firstSuccessor)
            return JoinVerdict.IdTaken;
        if (firstSuccessor is not { } successor || space.InOpen(joiner, self, successor))
            return JoinVerdict.Accept;
        return JoinVerdict.Forward;
    }
}
