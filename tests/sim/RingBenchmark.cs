using System.Diagnostics;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Simulation;

/// <summary>
/// A large init ring, in wall time and memory: until every predecessor is learned, then until every finger is exact,
/// then a batch of lookups checked against the true owners. The same ids without finger maintenance, side by side,
/// show what routing along successor lists alone costs.
/// </summary>
public static class RingBenchmark
{
    /// <summary>One phase; <see cref="CpuTime"/> is the process's, which a machine shared with other work inflates less than the wall time.</summary>
    public sealed record Phase(string Name, bool Reached, TimeSpan SimulatedTime, TimeSpan WallTime, TimeSpan CpuTime);

    public sealed record Outcome(int Peers, IReadOnlyList<Phase> Phases, Lookups.Sample Lookups, Lookups.Sample SuccessorOnly,
        long PeakWorkingSetBytes, long ManagedHeapBytes, long CallbacksRun, long DatagramsDelivered, long RequestsSent)
    {
        public bool Passed => Phases.All(p => p.Reached) && Lookups.Wrong.Count == 0 && SuccessorOnly.Wrong.Count == 0;
    }

    public static Outcome Run(SimulationSettings settings, int seed, TimeSpan limit, int lookups, int successorOnlyLookups)
    {
        var phases = new List<Phase>();
        var ring = new SimulatedRing(settings, seed, new TraceRecorder());
        ring.StartAll();
        phases.Add(RunUntil(ring, "stable (every predecessor learned)", limit, Stable));
        phases.Add(RunUntil(ring, "fingers fixed (every finger exact)", limit, DhtPs.Simulation.Lookups.FingersFixed));
        var (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var sample = DhtPs.Simulation.Lookups.Run(ring, new Random(seed), lookups, limit);
        phases.Add(new Phase($"{lookups} lookups", sample.Wrong.Count == 0, sample.SimulatedTime, wall.Elapsed, CpuTime() - cpu));
        var managedHeap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var peakWorkingSet = process.PeakWorkingSet64;
        var (callbacks, datagrams, requests) = (ring.Clock.Executed, ring.Network.Statistics.DatagramsDelivered, ring.Network.Statistics.RequestsSent);
        GC.KeepAlive(ring);
        ring = null;

        var plain = new SimulatedRing(settings with { MaintainFingers = false }, seed, new TraceRecorder());
        plain.StartAll();
        phases.Add(RunUntil(plain, "without fingers: stable", limit, Stable));
        (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var successorOnly = DhtPs.Simulation.Lookups.Run(plain, new Random(seed), successorOnlyLookups, limit);
        phases.Add(new Phase($"without fingers: {successorOnlyLookups} lookups", successorOnly.Wrong.Count == 0, successorOnly.SimulatedTime, wall.Elapsed, CpuTime() - cpu));

        return new Outcome(settings.Peers, phases, sample, successorOnly, peakWorkingSet, managedHeap, callbacks, datagrams, requests);
    }

    private static bool Stable(SimulatedRing ring)
    {
        var live = ring.LiveSnapshots();
        return live.Count == ring.Settings.Peers && PredecessorInvariant.Check(live).Count == 0 && RingInvariants.Check(ring.Space, live).Count == 0;
    }

    /// <summary>Runs a ping interval at a time until <paramref name="reached"/> holds, for at most <paramref name="limit"/> of simulated time.</summary>
    private static Phase RunUntil(SimulatedRing ring, string name, TimeSpan limit, Func<SimulatedRing, bool> reached)
    {
        var (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var started = ring.Clock.Elapsed;
        var done = reached(ring);
        while (!done && ring.Clock.Elapsed - started < limit)
        {
            ring.Clock.RunFor(ring.Settings.PingInterval);
            done = reached(ring);
        }
        return new Phase(name, done, ring.Clock.Elapsed - started, wall.Elapsed, CpuTime() - cpu);
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
