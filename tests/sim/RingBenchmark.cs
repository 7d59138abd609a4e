using System.Diagnostics;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Simulation;

/// <summary>
/// A large init ring, in wall time and memory: until every predecessor is learned, then until every finger is exact,
/// then a batch of lookups checked against the true owners, then stores and fetches of 1 KiB files (their hops to the
/// owner). The same ids routed the original way (<see cref="DhtPs.Core.Peer.RoutingMode.Successor"/>, no finger upkeep),
/// side by side, show what walking first successors costs.
/// </summary>
public static class RingBenchmark
{
    /// <summary>One phase; <see cref="CpuTime"/> is the process's, which a machine shared with other work inflates less than the wall time.</summary>
    public sealed record Phase(string Name, bool Reached, TimeSpan SimulatedTime, TimeSpan WallTime, TimeSpan CpuTime);

    public sealed record Outcome(int Peers, IReadOnlyList<Phase> Phases, Lookups.Sample Lookups, Lookups.Sample SuccessorOnly,
        FileRoutes.Outcome Files, FileRoutes.Outcome SuccessorOnlyFiles,
        long PeakWorkingSetBytes, long ManagedHeapBytes, long CallbacksRun, long DatagramsDelivered, long RequestsSent)
    {
        public bool Passed => Phases.All(p => p.Reached) && new[] { Lookups, SuccessorOnly, Files.Stores, Files.Fetches, SuccessorOnlyFiles.Stores, SuccessorOnlyFiles.Fetches }
            .All(s => s.Wrong.Count == 0);
    }

    /// <param name="files">Stores (then as many fetches) with fingers; the successor walk gets a hundredth of them, at least one.</param>
    public static Outcome Run(SimulationSettings settings, int seed, TimeSpan limit, int lookups, int successorOnlyLookups, int files)
    {
        var phases = new List<Phase>();
        var ring = new SimulatedRing(settings, seed, new TraceRecorder());
        ring.StartAll();
        phases.Add(RunUntil(ring, "stable (every predecessor learned)", limit, Stable));
        phases.Add(RunUntil(ring, "fingers fixed (every finger exact)", limit, DhtPs.Simulation.Lookups.FingersFixed));
        var (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var sample = DhtPs.Simulation.Lookups.Run(ring, new Random(seed), lookups, limit);
        phases.Add(new Phase($"{lookups} lookups", sample.Wrong.Count == 0, sample.SimulatedTime, wall.Elapsed, CpuTime() - cpu));
        (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var fileSample = FileRoutes.Run(ring, new Random(seed), files, limit);
        phases.Add(new Phase($"{files} stores, then fetches", fileSample.Stores.Wrong.Count + fileSample.Fetches.Wrong.Count == 0,
            fileSample.Stores.SimulatedTime + fileSample.Fetches.SimulatedTime, wall.Elapsed, CpuTime() - cpu));
        var managedHeap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var peakWorkingSet = process.PeakWorkingSet64;
        var (callbacks, datagrams, requests) = (ring.Clock.Executed, ring.Network.Statistics.DatagramsDelivered, ring.Network.Statistics.RequestsSent);
        GC.KeepAlive(ring);
        ring = null;

        var plain = new SimulatedRing(settings with { MaintainFingers = false, Routing = DhtPs.Core.Peer.RoutingMode.Successor }, seed, new TraceRecorder());
        plain.StartAll();
        phases.Add(RunUntil(plain, "routing Successor: stable", limit, Stable));
        (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var successorOnly = DhtPs.Simulation.Lookups.Run(plain, new Random(seed), successorOnlyLookups, limit);
        phases.Add(new Phase($"routing Successor: {successorOnlyLookups} lookups", successorOnly.Wrong.Count == 0, successorOnly.SimulatedTime, wall.Elapsed, CpuTime() - cpu));
        var plainFiles = Math.Max(1, files / 100);
        (wall, cpu) = (Stopwatch.StartNew(), CpuTime());
        var successorOnlyFiles = FileRoutes.Run(plain, new Random(seed), plainFiles, limit);
        phases.Add(new Phase($"routing Successor: {plainFiles} stores, then fetches", successorOnlyFiles.Stores.Wrong.Count + successorOnlyFiles.Fetches.Wrong.Count == 0,
            successorOnlyFiles.Stores.SimulatedTime + successorOnlyFiles.Fetches.SimulatedTime, wall.Elapsed, CpuTime() - cpu));

        return new Outcome(settings.Peers, phases, sample, successorOnly, fileSample, successorOnlyFiles, peakWorkingSet, managedHeap, callbacks, datagrams, requests);
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
