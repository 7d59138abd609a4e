using DhtPs.Simulation;
using Xunit.Abstractions;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>Lookups on 256 simulated peers: O(log N) hops once the fingers are fixed, still right with dead fingers.</summary>
[Collection(SimulationCollection.Name)]
public sealed class LookupSimulationTests(ITestOutputHelper output)
{
    private static readonly SimulationSettings Settings = new() { Peers = 256 };
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Lookups_find_the_true_owner_in_about_log2_N_hops_and_right_after_crashes_still_find_it_past_dead_fingers()
    {
        var ring = new SimulatedRing(Settings, 5, new TraceRecorder());
        ring.StartAll();
        ring.Clock.RunFor(Settings.SettleTime);
        var limit = ring.Clock.Elapsed + Settings.PingInterval * 60;
        while (!Lookups.FingersFixed(ring) && ring.Clock.Elapsed < limit)
            ring.Clock.RunFor(Settings.PingInterval);
        Assert.True(Lookups.FingersFixed(ring), $"fingers not fixed after {ring.Clock.Elapsed.TotalSeconds:0} s simulated");

        var fixedFingers = Lookups.Run(ring, new Random(5), count: 1000, Timeout);
        output.WriteLine($"fingers fixed: {fixedFingers}");
        Assert.Empty(fixedFingers.Wrong);
        Assert.True(fixedFingers.MeanHops <= Math.Log2(Settings.Peers) + 2, fixedFingers.ToString());

        // One in sixteen crashes: never two adjacent, so every successor list keeps a live member.
        var crashed = ring.Peers.Where((_, i) => i % 16 == 3).ToArray();
        var crashedIds = crashed.Select(p => p.Id).ToHashSet();
        Assert.Contains(ring.Peers, p => p.Snapshot!.Fingers.Any(f => f is not null && crashedIds.Contains(f.Id)));
        foreach (var peer in crashed)
            ring.Crash(peer);
        ring.Clock.RunDue();

        var deadFingers = Lookups.Run(ring, new Random(6), count: 1000, Timeout);
        output.WriteLine($"right after {crashed.Length} crashes: {deadFingers}");
        Assert.Empty(deadFingers.Wrong);
        Assert.Empty(ring.TakeProblems());
    }
}
