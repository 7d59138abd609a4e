using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Simulation;

/// <summary>Lookups on a simulated ring, checked against the truth computed from the live members' sorted ids.</summary>
public static class Lookups
{
    /// <summary>How a batch of lookups went; <see cref="Wrong"/> names every answer that was not the true owner or did not come.</summary>
    public sealed record Sample(int Count, IReadOnlyList<int> Hops, IReadOnlyList<string> Wrong, TimeSpan SimulatedTime, string Noun = "lookups")
    {
        public double MeanHops => Hops.Count == 0 ? 0 : Hops.Average();

        public int MaxHops => Hops.Count == 0 ? 0 : Hops.Max();

        public int PercentileHops(double percentile) =>
            Hops.Count == 0 ? 0 : Hops.Order().ElementAt((int)Math.Ceiling(percentile / 100 * Hops.Count) - 1);

        public override string ToString() =>
            $"{Count} {Noun}, {Wrong.Count} wrong or unanswered; hops mean {MeanHops:0.00}, p99 {PercentileHops(99)}, max {MaxHops}; " +
            $"{SimulatedTime.TotalSeconds:0.0} s simulated";
    }

    /// <summary>How often <see cref="Run"/> looks whether every lookup has settled: the resolution of its simulated time.</summary>
    private static readonly TimeSpan SettleCheckPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>The ids of the live members, ascending.</summary>
    public static ulong[] LiveIds(SimulatedRing ring) => ring.Peers.Where(p => p.IsUp).Select(p => p.Id).ToArray();

    /// <summary>The first id at or after <paramref name="key"/>, wrapping: the owner of the key.</summary>
    public static ulong OwnerOf(ulong[] sortedIds, ulong key)
    {
        var at = Array.BinarySearch(sortedIds, key);
        return sortedIds[at >= 0 ? at : ~at == sortedIds.Length ? 0 : ~at];
    }

    /// <summary>True when every live member's finger i is the owner of its id + 2^i.</summary>
    public static bool FingersFixed(SimulatedRing ring)
    {
        var ids = LiveIds(ring);
        return ring.Peers.Where(p => p.IsUp).All(peer => FingersAreExact(ring.Space, ids, peer.Id, peer.Snapshot!.Fingers));
    }

    private static bool FingersAreExact(IdSpace space, ulong[] ids, ulong id, IReadOnlyList<PeerContact?> fingers)
    {
        for (var i = 0; i < space.Bits; i++)
        {
            if (fingers[i]?.Id != OwnerOf(ids, space.Reduce(id + (1UL << i))))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Looks up <paramref name="count"/> random keys, each from a random live member, all at once, and runs the clock
    /// until every one has settled (answered, failed or timed out after <paramref name="timeout"/>).
    /// </summary>
    public static Sample Run(SimulatedRing ring, Random random, int count, TimeSpan timeout)
    {
        var ids = LiveIds(ring);
        var members = ring.Peers.Where(p => p.IsUp).ToArray();
        var started = ring.Clock.Elapsed;
        var lookups = Enumerable.Range(0, count)
            .Select(_ => (ulong)random.NextInt64())
            .Select(key => ring.Space.Reduce(key))
            .Select(key => members[random.Next(members.Length)].Node!.LookupAsync(key, timeout))
            .ToArray();
        while (!lookups.All(l => l.IsCompleted))
            ring.Clock.RunFor(SettleCheckPeriod);
        var wrong = new List<string>();
        var hops = new List<int>();
        foreach (var lookup in lookups)
        {
            if (!lookup.IsCompletedSuccessfully)
                wrong.Add(lookup.Exception!.GetBaseException().Message);
            else if (lookup.Result.Owner.Id != OwnerOf(ids, lookup.Result.Key))
                wrong.Add($"key {lookup.Result.Key}: answered by {lookup.Result.Owner.Id}, owned by {OwnerOf(ids, lookup.Result.Key)}");
            else
                hops.Add(lookup.Result.Hops);
        }
        return new Sample(count, hops, wrong, ring.Clock.Elapsed - started);
    }
}
