using System.Diagnostics;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Simulation;

/// <summary>How long a large init ring takes, in wall time and memory, to reach the state where every predecessor is learned.</summary>
public static class RingBenchmark
{
    public sealed record Outcome(int Peers, bool Stable, TimeSpan SimulatedTime, TimeSpan WallTime, long PeakWorkingSetBytes,
        long CallbacksRun, long TraceEntries, long DatagramsDelivered);

    public static Outcome Run(SimulationSettings settings, int seed, TimeSpan limit)
    {
        var wall = Stopwatch.StartNew();
        var recorder = new TraceRecorder();
        var ring = new SimulatedRing(settings, seed, recorder);
        ring.StartAll();
        var stable = false;
        while (!stable && ring.Clock.Elapsed < limit)
        {
            ring.Clock.RunFor(settings.PingInterval);
            var live = ring.LiveSnapshots();
            stable = live.Count == settings.Peers
                && PredecessorInvariant.Check(live).Count == 0 && RingInvariants.Check(ring.Space, live).Count == 0;
        }
        wall.Stop();
        using var process = Process.GetCurrentProcess();
        return new Outcome(settings.Peers, stable, ring.Clock.Elapsed, wall.Elapsed, process.PeakWorkingSet64,
            ring.Clock.Executed, recorder.Entries, ring.Network.Statistics.DatagramsDelivered);
    }
}
