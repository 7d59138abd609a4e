namespace DhtPs.Simulation.Schedules;

/// <summary>
/// The fault assumption the runner states (Zave's): with successor lists of length r, at most r - 1 ring-adjacent
/// members are down (crashed, killed, left or cut off) before the ring has repaired around them, and no member fails
/// while it is the last live entry, reachable across the current partition, of some live member's successor list
/// (a member cut off by the partition reaches none of its successors). A member that is down counts until no live member
/// lists it any more (failure detection or the departure notice repairs it out), and with copies until every file it
/// held has r live copies again: the repair the budget waits for is the files' too (chaos seed 150 at 64 peers, 3 copies:
/// a crash, the leave of the next member and the kill of the one after, within 4 s, took a file's three copies). A graceful leave is budgeted like a
/// crash, since its notices may be lost. Membership changes one at a time: one join at a time, and no join, crash,
/// kill, leave or partition while a join is under way or a repair is: some member's successor list is short, or a
/// partition healed less than r request timeouts ago (a member that was cut off asks its r successors in turn, and
/// each request lost at the cut fails only at the timeout, so it is still repairing).
/// </summary>
public static class FaultBudget
{
    /// <summary>r - 1 of the successor list keeps the ring; with copies, r - 1 of the replication factor keeps every file too.</summary>
    public static int MaxAdjacentDown(SimulationSettings settings) =>
        settings.ReplicationFactor > 1 ? Math.Min(settings.SuccessorListLength, settings.ReplicationFactor) - 1 : settings.SuccessorListLength - 1;

    /// <summary>The members of a partition's island are more than this many ring positions apart (see <see cref="ChaosSchedule"/>).</summary>
    public static int IslandSpacing(SimulationSettings settings) => 2 * settings.SuccessorListLength;

    /// <summary>The bound in words, for the first line of every trace and the sweep's summary.</summary>
    public static string Describe(SimulationSettings settings) =>
        $"at most {MaxAdjacentDown(settings)} adjacent member(s) crashed, killed, left or cut off before repair{(settings.ReplicationFactor > 1 ? " (of the ring and of their files' copies)" : "")}; " +
        "leaves budgeted like crashes; one join at a time, and none while a crashed member is still listed; no membership change or partition during a join or a repair " +
        $"(nor within {RecoveryAfterHeal(settings).TotalSeconds:0} s of a heal); " +
        $"one partition at a time, its members more than {IslandSpacing(settings)} ring positions apart";

    /// <summary>May <paramref name="id"/> crash (or be killed) now? Not while a join or a repair is under way.</summary>
    public static bool AllowsCrash(SimulatedRing ring, ulong id)
    {
        var reachable = ring.Peers.Where(p => p.IsMember && !ring.CutOff.Contains(p.Id)).Select(p => p.Id).ToHashSet();
        var leavesSomeoneWithoutLiveSuccessor = ring.Peers.Where(p => p.IsMember)
            .Any(p => p.Snapshot!.Successors.Contains(id)
                && (ring.CutOff.Contains(p.Id) || !p.Snapshot.Successors.Any(s => s != id && reachable.Contains(s))));
        return ring[id].IsMember && !ChangeUnderWay(ring) && !leavesSomeoneWithoutLiveSuccessor && AllowsDown(ring, [id]);
    }

    /// <summary>
    /// May <paramref name="id"/> leave now? As for a crash, the ring keeps more than r members, and it is not cut off: its
    /// hand-off could reach no successor, so with one copy its files would leave with it (a crash that keeps its disk,
    /// which no file check models; chaos seed 112 at 64 peers).
    /// </summary>
    public static bool AllowsLeave(SimulatedRing ring, ulong id) =>
        ring.Peers.Count(p => p.IsMember) > ring.Settings.SuccessorListLength + 1 && !ring.CutOff.Contains(id) && AllowsCrash(ring, id);

    /// <summary>May a newcomer join now? Not while another join or a repair is under way, a crashed peer still listed included.</summary>
    public static bool AllowsJoin(SimulatedRing ring) => !ChangeUnderWay(ring) && !ListsAnyoneDown(ring);

    /// <summary>
    /// Some member still lists a peer that is down, or cut off from it by the partition: failure detection has not
    /// repaired around it yet. A join next to it would leave the accepting member listing only the newcomer, still
    /// joining, and the dead peer; and a newcomer whose successor is across the cut cannot take over its files
    /// (architecture.md section 9: a take-over its successor cannot complete leaves the copy where it is). Finger routing
    /// reaches such a join point sooner than a walk of successors did, which seed 137 at 64 peers showed.
    /// </summary>
    private static bool ListsAnyoneDown(SimulatedRing ring) =>
        ring.Peers.Any(p => p.IsMember && p.Snapshot!.Successors.Any(id => !ring[id].IsUp || ring.CutOff.Contains(id) != ring.CutOff.Contains(p.Id)));

    /// <summary>May a partition start now? Not while a join or a repair is under way, the last partition's included.</summary>
    public static bool AllowsPartition(SimulatedRing ring) => ring.CutOff.Count == 0 && !ChangeUnderWay(ring);

    /// <summary>How long after a heal the members that were cut off may still be repairing.</summary>
    public static TimeSpan RecoveryAfterHeal(SimulationSettings settings) => settings.RequestTimeout * settings.SuccessorListLength;

    private static bool ChangeUnderWay(SimulatedRing ring) =>
        ring.IsJoinPending
        || ring.LastHealed is { } healed && ring.Clock.Elapsed - healed < RecoveryAfterHeal(ring.Settings)
        || ring.Peers.Any(p => p.IsMember && p.Snapshot!.Successors.Count < ring.Settings.SuccessorListLength);

    /// <summary>
    /// May <paramref name="peer"/> restart now? It comes back knowing only its init successors, so one of them must be up
    /// and reachable across the current partition, or it starts with no live successor and never finds the ring again.
    /// </summary>
    public static bool AllowsRestart(SimulatedRing ring, SimulatedPeer peer) =>
        new[] { peer.Options.FirstSuccessor, peer.Options.SecondSuccessor }
            .Any(s => s?.Id is { } id && ring[id].IsUp && !ring.CutOff.Contains(id));

    /// <summary>
    /// Would taking <paramref name="ids"/> down (crashed or cut off by a partition) keep every run of ring-adjacent
    /// members that are down, crashed, gone or cut off, within the budget?
    /// </summary>
    public static bool AllowsDown(SimulatedRing ring, IReadOnlyCollection<ulong> ids)
    {
        var listed = ring.Peers.Where(p => p.IsMember).SelectMany(p => p.Snapshot!.Successors).ToHashSet();
        var members = ring.Peers.Where(p => p.IsMember || listed.Contains(p.Id) || ring.CopiesPending(p)).ToArray();
        var down = members.Select(p => !p.IsMember || ring.CutOff.Contains(p.Id) || ids.Contains(p.Id)).ToArray();
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
