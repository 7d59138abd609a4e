using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation.Operations;

namespace DhtPs.Simulation.Schedules;

/// <summary>
/// Random faults for the protocol as it is today (init rings, pinging, predecessor learning): lossy, duplicating,
/// reordering networks, partitions that heal, and crashes and restarts within the <see cref="FaultBudget"/>.
/// Join, leave and kill are new cases in <see cref="Next"/> once the protocol has them.
/// </summary>
public sealed class ChaosSchedule : ISchedule
{
    public ISimulationOperation Next(SimulatedRing ring, int step)
    {
        var random = ring.Random;
        return random.Next(10) switch
        {
            0 or 1 => Crash(ring) ?? new Wait(),
            2 or 3 => Restart(ring) ?? new Wait(),
            4 => Partition(ring),
            5 => new HealPartitions(),
            6 or 7 => new ChangeConditions(Stormy(ring)),
            8 => new ChangeConditions(ring.Settings.CalmNetwork),
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
        var crashed = ring.Peers.Where(p => !p.IsUp && p.Stopping is { IsCompleted: true }).ToArray();
        return crashed.Length == 0 ? null : new RestartPeer(crashed[ring.Random.Next(crashed.Length)].Id);
    }

    /// <summary>An arc of consecutive peers, or a scattered set: the two shapes partitions take.</summary>
    private static PartitionNetwork Partition(SimulatedRing ring)
    {
        var peers = ring.Peers.ToArray();
        var size = 1 + ring.Random.Next(peers.Length / 2);
        if (ring.Random.Next(2) == 0)
        {
            var start = ring.Random.Next(peers.Length);
            return new PartitionNetwork(Enumerable.Range(start, size).Select(i => peers[i % peers.Length].Id).ToArray());
        }
        return new PartitionNetwork(peers.Where(_ => ring.Random.Next(peers.Length) < size).Select(p => p.Id).ToArray());
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
