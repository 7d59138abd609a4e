using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Operations;

namespace DhtPs.Simulation.Schedules;

/// <summary>
/// Random faults for the protocol as it is today (init rings, pinging, predecessor learning): lossy, duplicating,
/// reordering networks, partitions that heal, and crashes and restarts within the <see cref="FaultBudget"/>;
/// meanwhile live peers store files and request them.
/// Join, leave and kill are new cases in <see cref="Next"/> once the protocol has them.
/// </summary>
public sealed class ChaosSchedule : ISchedule
{
    public ISimulationOperation Next(SimulatedRing ring, int step)
    {
        var random = ring.Random;
        return random.Next(12) switch
        {
            0 or 1 => Crash(ring) ?? new Wait(),
            2 or 3 => Restart(ring) ?? new Wait(),
            4 => ring.CutOff.Count > 0 ? new HealPartitions() : (ISimulationOperation?)Partition(ring) ?? new Wait(),
            5 => new HealPartitions(),
            6 or 7 => new ChangeConditions(Stormy(ring)),
            8 => new ChangeConditions(ring.Settings.CalmNetwork),
            10 => StoreFile.Random(ring) ?? (ISimulationOperation)new Wait(),
            11 => RequestFile.Random(ring) ?? (ISimulationOperation)new Wait(),
            _ => new Wait(),
        };
    }

    private static ISimulationOperation? Crash(SimulatedRing ring)
    {
        var candidates = ring.Peers.Where(p => p.IsUp && FaultBudget.AllowsCrash(ring, p.Id)).ToArray();
        return candidates.Length == 0 ? null : new CrashPeer(candidates[ring.Random.Next(candidates.Length)].Id);
    }

    private static ISimulationOperation? Restart(SimulatedRing ring)
    {
        var crashed = ring.Peers.Where(p => !p.IsUp && p.Stopping is { IsCompleted: true } && FaultBudget.AllowsRestart(ring, p)).ToArray();
        return crashed.Length == 0 ? null : new RestartPeer(crashed[ring.Random.Next(crashed.Length)].Id);
    }

    /// <summary>
    /// One partition at a time: a scattered island within the <see cref="FaultBudget"/>, so no run of ring-adjacent
    /// members that are crashed or cut off is longer than the successor lists can bridge, and with its members more than
    /// r ring positions apart, so every member's successors are on the other side. The bound is needed: two
    /// adjacent members cut off for longer than failure detection repair into a ring of their own while the rest
    /// repairs around them, and no Chord-style ring merges two rings again (Zave). No member that still lists a crashed
    /// peer is cut off: it could not replace it, would keep only the dead entry, and never find the ring again.
    /// </summary>
    private static PartitionNetwork? Partition(SimulatedRing ring)
    {
        var peers = ring.Peers.ToArray();
        var reach = ring.Settings.SuccessorListLength;
        var size = 1 + ring.Random.Next(peers.Length / 4);
        var island = new List<ulong>();
        var lastTaken = -peers.Length;
        for (var i = 0; i < peers.Length; i++)
        {
            var spaced = i - lastTaken > reach && (island.Count == 0 || peers.Length - i + Array.FindIndex(peers, p => p.Id == island[0]) > reach);
            var listsNoneOfIsland = island.All(id => !ring[id].Snapshot!.Successors.Contains(peers[i].Id) && peers[i].Snapshot?.Successors.Contains(id) != true);
            var listsNoneDown = peers[i].Snapshot?.Successors.All(id => ring[id].IsUp) == true;
            if (ring.Random.Next(peers.Length) < size && peers[i].IsUp && spaced && listsNoneOfIsland && listsNoneDown && FaultBudget.AllowsDown(ring, [.. island, peers[i].Id]))
            {
                island.Add(peers[i].Id);
                lastTaken = i;
            }
        }
        return island.Count == 0 ? null : new PartitionNetwork(island);
    }

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
