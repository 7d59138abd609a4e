using DhtPs.Core.Peer;

namespace DhtPs.Simulation.Invariants;

/// <summary>
/// Once the ring has been calm long enough, each live peer's predecessors are exactly the live peers that ping it:
/// its rank-1 predecessor lists it first, its rank-2 predecessor second, and so on for every rank a peer keeps (its successor-list length).
/// </summary>
public static class PredecessorInvariant
{
    public const string Name = "PredecessorsArePingers";

    /// <param name="ranks">How many predecessor ranks a peer keeps: the successor-list length.</param>
    public static IReadOnlyList<InvariantViolation> Check(IReadOnlyList<DhtPeer> live, int ranks = 2)
    {
        var pingers = new Dictionary<(ulong Target, int Rank), List<ulong>>();
        foreach (var peer in live)
        {
            for (var rank = 1; rank <= peer.Successors.Count; rank++)
            {
                var key = (peer.Successors[rank - 1], rank);
                if (!pingers.TryGetValue(key, out var list))
                    pingers[key] = list = [];
                list.Add(peer.Id);
            }
        }
        var violations = new List<InvariantViolation>();
        foreach (var peer in live)
        {
            var expected = new List<ulong>();
            for (var rank = 1; rank <= ranks; rank++)
            {
                if (!pingers.TryGetValue((peer.Id, rank), out var list))
                    continue;
                if (list.Count > 1)
                    violations.Add(new(Name, $"peers {string.Join(" and ", list)} all ping peer {peer.Id} as successor {rank}"));
                expected.Add(list[0]);
            }
            if (!peer.Predecessors.SequenceEqual(expected))
                violations.Add(new(Name, $"peer {peer.Id} knows predecessors [{string.Join(", ", peer.Predecessors)}], the live peers pinging it are [{string.Join(", ", expected)}]"));
        }
        return violations;
    }
}
