using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Operations;

namespace DhtPs.Simulation.Schedules;

/// <summary>
/// Random churn and faults: newcomers that join, members that leave gracefully or are killed, crashes and restarts,
/// lossy, duplicating, reordering networks and partitions that heal, all within the <see cref="FaultBudget"/>;
/// meanwhile live members store files and request them.
/// </summary>
public sealed class ChaosSchedule : ISchedule
{
    public ISimulationOperation Next(SimulatedRing ring, int step)
    {
        var random = ring.Random;
        return random.Next(16) switch
        {
            0 or 1 => Crash(ring) ?? new Wait(),
            2 or 3 => Restart(ring) ?? new Wait(),
            4 => ring.CutOff.Count > 0 ? new HealPartitions() : FaultBudget.AllowsPartition(ring) ? (ISimulationOperation?)Partition(ring) ?? new Wait() : new Wait(),
            5 => new HealPartitions(),
            6 or 7 => new ChangeConditions(Stormy(ring)),
            8 => new ChangeConditions(ring.Settings.CalmNetwork),
            9 => RemoveFile.Random(ring) ?? (ISimulationOperation)new Wait(),
            10 or 11 => Join(ring) ?? new Wait(),
            12 => Leave(ring) ?? new Wait(),
            13 => Kill(ring) ?? new Wait(),
            14 => StoreFile.Random(ring) ?? (ISimulationOperation)new Wait(),
            15 => RequestFile.Random(ring) ?? (ISimulationOperation)new Wait(),
            _ => new Wait(),
        };
    }

    private static ISimulationOperation? Crash(SimulatedRing ring) =>
        Pick(ring, ring.Peers.Where(p => p.IsMember && FaultBudget.AllowsCrash(ring, p.Id)).ToArray()) is { } victim ? new CrashPeer(victim) : null;

    private static ISimulationOperation? Kill(SimulatedRing ring) =>
        Pick(ring, ring.Peers.Where(p => p.IsMember && FaultBudget.AllowsCrash(ring, p.Id)).ToArray()) is { } victim ? new KillPeer(victim) : null;

    private static ISimulationOperation? Leave(SimulatedRing ring) =>
        Pick(ring, ring.Peers.Where(p => p.IsMember && FaultBudget.AllowsLeave(ring, p.Id)).ToArray()) is { } leaver ? new LeavePeer(leaver) : null;

    /// <summary>A newcomer joins through a member the newcomer can reach (not one cut off by the partition).</summary>
    private static ISimulationOperation? Join(SimulatedRing ring)
    {
        if (!FaultBudget.AllowsJoin(ring))
            return null;
        var via = Pick(ring, ring.Peers.Where(p => p.IsMember && !ring.CutOff.Contains(p.Id)).ToArray());
        return via is null ? null : new JoinPeer(ring.FreshId(), via.Value);
    }

    private static ulong? Pick(SimulatedRing ring, SimulatedPeer[] candidates) =>
        candidates.Length == 0 ? null : candidates[ring.Random.Next(candidates.Length)].Id;

    private static ISimulationOperation? Restart(SimulatedRing ring)
    {
        var crashed = ring.Peers.Where(p => p is { IsUp: false, IsGone: false, Stopping.IsCompleted: true } && FaultBudget.AllowsRestart(ring, p)).ToArray();
        return crashed.Length == 0 ? null : new RestartPeer(crashed[ring.Random.Next(crashed.Length)].Id);
    }

    /// <summary>
    /// One partition at a time: a scattered island within the <see cref="FaultBudget"/>, so no run of ring-adjacent
    /// members that are crashed or cut off is longer than the successor lists can bridge, and with its members more than
    /// 2r ring positions apart. The bound is needed: two adjacent members cut off for longer than failure detection
    /// repair into a ring of their own while the rest repairs around them, and no Chord-style ring merges two rings
    /// again (Zave). r positions are not enough: a cut-off member skips its r successors as dead for a while after
    /// the heal, so its next successor may be the island member r + 1 positions on, which can in turn walk back to it.
    /// No member that still lists a crashed peer is cut off: it could not replace it, would keep only the dead entry,
    /// and never find the ring again.
    /// </summary>
    private static PartitionNetwork? Partition(SimulatedRing ring)
    {
        var peers = ring.Peers.Where(p => p is { IsGone: false, IsJoinPending: false }).ToArray(); // The ring's positions.
        var reach = FaultBudget.IslandSpacing(ring.Settings);
        var size = 1 + ring.Random.Next(peers.Length / 4);
        var island = new List<ulong>();
        var lastTaken = -peers.Length;
        for (var i = 0; i < peers.Length; i++)
        {
            var spaced = i - lastTaken > reach && (island.Count == 0 || peers.Length - i + Array.FindIndex(peers, p => p.Id == island[0]) > reach);
            var listsNoneOfIsland = island.All(id => !ring[id].Snapshot!.Successors.Contains(peers[i].Id) && peers[i].Snapshot?.Successors.Contains(id) != true);
            var listsNoneDown = peers[i].Snapshot?.Successors.All(id => ring[id].IsUp) == true;
            if (ring.Random.Next(peers.Length) < size && peers[i].IsMember && spaced && listsNoneOfIsland && ListsOnlyMembers(ring, peers[i])
                && listsNoneDown && FaultBudget.AllowsDown(ring, [.. island, peers[i].Id]))
            {
                island.Add(peers[i].Id);
                lastTaken = i;
            }
        }
        return island.Count == 0 ? null : new PartitionNetwork(island);
    }

    /// <summary>
    /// A member cut off reaches none of its successors, so they must all be up when the partition heals; one that is
    /// down meanwhile would leave it with no live successor at all.
    /// </summary>
    private static bool ListsOnlyMembers(SimulatedRing ring, SimulatedPeer peer) =>
        peer.Snapshot!.Successors.All(id => ring[id].IsMember);

    private static NetworkConditions Stormy(SimulatedRing ring)
    {
        var random = ring.Random;
        var calm = ring.Settings.CalmNetwork;
        return calm with
        {
            MaxDelay = calm.MaxDelay * (1 + random.Next(10)),
            LossRate = random.NextDouble() * 0.4,
            DuplicateRate = random.NextDouble() * 0.2,
            ReorderRate = random.NextDouble() * 0.2,
            ReorderDelay = ring.Settings.PingInterval * (2 * random.NextDouble()),
        };
    }
}
