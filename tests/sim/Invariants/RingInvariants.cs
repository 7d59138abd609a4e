using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Simulation.Invariants;

/// <summary>
/// Zave's ring invariants ("Reasoning about identifier spaces", IEEE TSE 2017) over snapshots of the live members.
/// A member's best successor is the first live entry of its successor list; the invariants are about the graph
/// of best successors, so a crashed peer that is still listed is skipped, as it is by pinging.
/// </summary>
public static class RingInvariants
{
    public static IReadOnlyList<InvariantViolation> Check(IdSpace space, IReadOnlyList<DhtPeer> live)
    {
        var violations = new List<InvariantViolation>();
        if (live.Count == 0)
            return violations;
        var members = live.ToDictionary(p => p.Id);
        CheckOrderedSuccessorLists(space, live, violations);
        var best = new SortedDictionary<ulong, ulong>();
        foreach (var peer in live)
        {
            var firstLive = peer.Successors.Where(members.ContainsKey).Take(1).ToArray();
            if (firstLive.Length == 1)
                best[peer.Id] = firstLive[0];
            else
                violations.Add(new("LiveSuccCondition", $"peer {peer.Id} has no live member in its successor list [{string.Join(", ", peer.Successors)}]"));
        }
        var cycles = FindCycles(best);
        if (cycles.Count == 0)
            violations.Add(new("AtLeastOneRing", "following best successors reaches no cycle"));
        if (cycles.Count > 1)
            violations.Add(new("AtMostOneRing", $"{cycles.Count} rings: {string.Join(" | ", cycles.Select(Describe))}"));
        foreach (var cycle in cycles)
            CheckOrderedRing(space, cycle, violations);
        if (cycles.Count == 1)
            CheckConnectedAppendages(live.Select(p => p.Id), best, cycles[0], violations);
        return violations;
    }

    /// <summary>OrderedSuccessorLists: each list strictly increases in clockwise distance from its owner (the owner itself counts as a full turn).</summary>
    private static void CheckOrderedSuccessorLists(IdSpace space, IReadOnlyList<DhtPeer> live, List<InvariantViolation> violations)
    {
        foreach (var peer in live)
        {
            var distances = peer.Successors.Select(s => Turn(space, peer.Id, s)).ToArray();
            for (var i = 1; i < distances.Length; i++)
            {
                if (distances[i] <= distances[i - 1])
                {
                    violations.Add(new("OrderedSuccessorLists", $"peer {peer.Id} lists [{string.Join(", ", peer.Successors)}] out of ring order"));
                    break;
                }
            }
        }
    }

    /// <summary>OrderedRing: going round the cycle once covers the identifier space exactly once (one wrap past the top).</summary>
    private static void CheckOrderedRing(IdSpace space, IReadOnlyList<ulong> cycle, List<InvariantViolation> violations)
    {
        if (cycle.Count == 1)
            return;
        UInt128 travelled = 0;
        for (var i = 0; i < cycle.Count; i++)
            travelled += Turn(space, cycle[i], cycle[(i + 1) % cycle.Count]);
        if (travelled != FullTurn(space))
            violations.Add(new("OrderedRing", $"the ring {Describe(cycle)} wraps around the identifier space {travelled / FullTurn(space)} times, not once"));
    }

    /// <summary>ConnectedAppendages: every live member off the ring reaches it by best successors (a member without one reaches nothing).</summary>
    private static void CheckConnectedAppendages(IEnumerable<ulong> members, SortedDictionary<ulong, ulong> best, IReadOnlyList<ulong> ring, List<InvariantViolation> violations)
    {
        var onRing = ring.ToHashSet();
        foreach (var start in members)
        {
            var seen = new HashSet<ulong>();
            var at = start;
            while (!onRing.Contains(at) && seen.Add(at) && best.TryGetValue(at, out var next))
                at = next;
            if (!onRing.Contains(at))
                violations.Add(new("ConnectedAppendages", $"peer {start} does not reach the ring"));
        }
    }

    /// <summary>The cycles of the best-successor graph, each from its smallest id.</summary>
    private static List<IReadOnlyList<ulong>> FindCycles(SortedDictionary<ulong, ulong> best)
    {
        var cycles = new List<IReadOnlyList<ulong>>();
        var state = new Dictionary<ulong, int>(); // 1 = on the current walk, 2 = done
        foreach (var start in best.Keys)
        {
            var walk = new List<ulong>();
            var at = start;
            var ended = false;
            while (!state.ContainsKey(at))
            {
                state[at] = 1;
                walk.Add(at);
                if (!best.TryGetValue(at, out at))
                {
                    ended = true; // A member without a best successor: this walk has no cycle.
                    break;
                }
            }
            if (!ended && state[at] == 1)
            {
                var cycle = walk.Skip(walk.IndexOf(at)).ToList();
                var smallest = cycle.IndexOf(cycle.Min());
                cycles.Add([.. cycle.Skip(smallest), .. cycle.Take(smallest)]);
            }
            foreach (var id in walk)
                state[id] = 2;
        }
        return cycles;
    }

    /// <summary>Clockwise distance where arriving back at the start is a full turn, not zero.</summary>
    private static UInt128 Turn(IdSpace space, ulong from, ulong to) =>
        space.Distance(from, to) is var d && d == 0 ? FullTurn(space) : d;

    private static UInt128 FullTurn(IdSpace space) => (UInt128)space.MaxId + 1;

    private static string Describe(IReadOnlyList<ulong> cycle) =>
        cycle.Count <= 8 ? string.Join(" -> ", cycle) : $"{string.Join(" -> ", cycle.Take(8))} ... ({cycle.Count} members)";
}
