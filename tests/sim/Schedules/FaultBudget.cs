namespace DhtPs.Simulation.Schedules;

/// <summary>
/// The fault assumption the runner states (Zave's): with successor lists of length r, at most r - 1 ring-adjacent
/// members are down (crashed or cut off) before the ring has repaired around them, and no member fails while it is
/// the last live entry, reachable across the current partition, of some live member's successor list (a member cut off
/// by the partition reaches none of its successors). A crashed member counts until no live member lists it any more
/// (failure detection repairs it out within a few ping intervals).
/// </summary>
public static class FaultBudget
{
    public static int MaxAdjacentDown(SimulationSettings settings) => settings.SuccessorListLength - 1;

    /// <summary>May <paramref name="id"/> crash now? Not while any live member's successor list is short (a repair is under way).</summary>
    public static bool AllowsCrash(SimulatedRing ring, ulong id)
    {
        var reachable = ring.Peers.Where(p => p.IsUp && !ring.CutOff.Contains(p.Id)).Select(p => p.Id).ToHashSet();
        var leavesSomeoneWithoutLiveSuccessor = ring.Peers.Where(p => p.IsUp)
            .Any(p => p.Snapshot!.Successors.Contains(id)
                && (ring.CutOff.Contains(p.Id) || !p.Snapshot.Successors.Any(s => s != id && reachable.Contains(s))));
        var repairing = ring.Peers.Any(p => p.IsUp && p.Snapshot!.Successors.Count < ring.Settings.SuccessorListLength);
        return !repairing && !leavesSomeoneWithoutLiveSuccessor && AllowsDown(ring, [id]);
    }

    /// <summary>
    /// May <paramref name="peer"/> restart now? It comes back knowing only its init successors, so one of them must be up
    /// and reachable across the current partition, or it starts with no live successor and never finds the ring again.
    /// </summary>
    public static bool AllowsRestart(SimulatedRing ring, SimulatedPeer peer) =>
        new[] { peer.Options.FirstSuccessor, peer.Options.SecondSuccessor }
            .Any(s => s?.Id is { } id && ring[id].IsUp && !ring.CutOff.Contains(id));

    /// <summary>
    /// Would taking <paramref name="ids"/> down (crashed or cut off by a partition) keep every run of ring-adjacent
    /// members that are down, crashed or cut off, within the budget?
    /// </summary>
    public static bool AllowsDown(SimulatedRing ring, IReadOnlyCollection<ulong> ids)
    {
        var listed = ring.Peers.Where(p => p.IsUp).SelectMany(p => p.Snapshot!.Successors).ToHashSet();
        var members = ring.Peers.Where(p => p.IsUp || listed.Contains(p.Id)).ToArray();
        var down = members.Select(p => !p.IsUp || ring.CutOff.Contains(p.Id) || ids.Contains(p.Id)).ToArray();
        var limit = MaxAdjacentDown(ring.Settings);
        // The longest run of down members, going round the ring (twice, to catch a run across the wrap).
        var run = 0;
        for (var i = 0; i < down.Length * 2; i++)
        {
            run = down[i % down.Length] ? run + 1 : 0;
            if (run > limit)
                return false;
        }
        return true;
    }
}
