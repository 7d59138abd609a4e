namespace DhtPs.Simulation.Schedules;

/// <summary>
/// The fault assumption the runner states (Zave's): with successor lists of length r, at most r - 1 ring-adjacent
/// members are down before the ring has repaired around them. A crashed member counts until no live member lists
/// it any more; today nothing repairs, so it counts until it restarts.
/// </summary>
public static class FaultBudget
{
    public static int MaxAdjacentDown(SimulationSettings settings) => settings.SuccessorListLength - 1;

    public static bool AllowsCrash(SimulatedRing ring, ulong id)
    {
        var listed = ring.Peers.Where(p => p.IsUp).SelectMany(p => p.Snapshot!.Successors).ToHashSet();
        var members = ring.Peers.Where(p => p.IsUp || listed.Contains(p.Id)).ToArray();
        var down = members.Select(p => !p.IsUp || p.Id == id).ToArray();
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
