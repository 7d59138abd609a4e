using DhtPs.Core.Peer;

namespace DhtPs.Simulation.Invariants;

/// <summary>
/// Once the ring has been calm long enough, churn has been absorbed: every live member, joined ones included, is on
/// the one cycle that first successors form, and no member that is gone (left, killed, gave up joining) is on
/// anybody's successor list.
/// </summary>
public static class MembershipInvariant
{
    public const string OnRing = "EveryMemberOnRing";
    public const string GoneForgotten = "GoneMembersForgotten";

    public static IReadOnlyList<InvariantViolation> Check(IReadOnlyList<DhtPeer> live, IEnumerable<ulong> gone)
    {
        var violations = new List<InvariantViolation>();
        if (live.Count == 0)
            return violations;
        var members = live.ToDictionary(p => p.Id);
        var goneIds = gone.ToHashSet();
        foreach (var peer in live)
        {
            foreach (var listed in peer.Successors.Where(goneIds.Contains))
                violations.Add(new(GoneForgotten, $"peer {peer.Id} still lists peer {listed}, which is gone"));
        }
        var (cycle, broken) = FirstSuccessorCycle(live[0].Id, members);
        if (broken is not null)
            violations.Add(new(OnRing, broken));
        var missing = members.Keys.Where(id => !cycle.Contains(id)).ToArray();
        if (missing.Length > 0)
            violations.Add(new(OnRing, $"the ring of first successors ({cycle.Count} members) leaves out peer(s) " +
                (missing.Length <= 8 ? string.Join(", ", missing) : $"{string.Join(", ", missing.Take(8))} and {missing.Length - 8} more")));
        return violations;
    }

    /// <summary>The cycle that following first successors from <paramref name="start"/> reaches, or why there is none.</summary>
    private static (IReadOnlySet<ulong> Cycle, string? Broken) FirstSuccessorCycle(ulong start, Dictionary<ulong, DhtPeer> members)
    {
        var walk = new List<ulong>();
        var at = start;
        while (!walk.Contains(at))
        {
            walk.Add(at);
            if (members[at].Successors is not [var first, ..])
                return (new HashSet<ulong>(), $"peer {at} has no first successor");
            if (!members.ContainsKey(first))
                return (new HashSet<ulong>(), $"peer {at} has peer {first}, not a live member, as first successor");
            at = first;
        }
        return (walk.Skip(walk.IndexOf(at)).ToHashSet(), null);
    }
}
