using DhtPs.Core.Storage;
using DhtPs.Simulation;
using DhtPs.Simulation.Files;
using DhtPs.Simulation.Invariants;
using DhtPs.Simulation.Operations;
using DhtPs.Simulation.Schedules;
using Xunit.Abstractions;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>The real peer code on the simulated network: many seeded chaos schedules, and exact replay.</summary>
[Collection(SimulationCollection.Name)]
public sealed class SimulationTests(ITestOutputHelper output)
{
    private static readonly SimulationSettings Settings = new() { Peers = 64, Steps = 30 };

    private void AllPass(IReadOnlyList<SimulationResult> results)
    {
        var failures = results.Where(r => !r.Passed).Select(r => r.ToString()).ToArray();
        Assert.True(failures.Length == 0, string.Join(Environment.NewLine, failures));
        Assert.All(results, r => Assert.True(r.PredecessorChecks > 0, $"seed {r.Seed} never checked predecessor learning"));
        output.WriteLine($"{results.Count} seeds: {results.Sum(r => r.Crashes)} crashes; {SeedSweep.Total(results)}; {SeedSweep.TotalFiles(results)}");
    }

    [Fact]
    public void Two_hundred_chaos_schedules_on_64_peers_keep_every_invariant()
    {
        var results = SeedSweep.Run(Settings, firstSeed: 1, count: 200);
        AllPass(results);
        var network = SeedSweep.Total(results);
        // The faults really happened: a schedule that injects nothing would pass vacuously.
        Assert.True(network.DatagramsLost > 0 && network.DatagramsDuplicated > 0 && network.DatagramsReordered > 0 && network.DatagramsUndeliverable > 0, network.ToString());
        Assert.True(results.Sum(r => r.Crashes) > 100);
        var files = SeedSweep.TotalFiles(results);
        Assert.True(files is { Stored: > 100, Fetched: > 50, Lost: > 0, Checks: > 100 }, files.ToString());
    }

    [Fact]
    public void Chaos_schedules_with_every_message_through_the_codec_see_no_malformed_input()
    {
        AllPass(SeedSweep.Run(Settings with { UseCodec = true }, firstSeed: 1001, count: 20));
    }

    [Fact]
    public void The_same_seed_replays_bit_for_bit_and_another_seed_does_not()
    {
        // The first seed from 42 whose schedule both stores and fetches, so the replay covers file transfers too.
        var first = Enumerable.Range(42, 20).Select(seed => SimulationRunner.Run(Settings, seed)).First(r => !r.Passed || r.Files is { Stored: > 0, Fetched: > 0 });
        var again = SimulationRunner.Run(Settings, first.Seed);
        var other = SimulationRunner.Run(Settings, first.Seed + 1);
        Assert.True(first.Passed, first.Failure);
        Assert.Equal((first.TraceHash, first.TraceEntries, first.SimulatedTime), (again.TraceHash, again.TraceEntries, again.SimulatedTime));
        Assert.NotEqual(first.TraceHash, other.TraceHash);
    }

    [Fact]
    public void Stored_files_are_fetched_identical_and_a_crashed_holder_loses_its_file_and_the_run_replays_bit_for_bit()
    {
        var ring = new SimulatedRing(Settings, 21, new TraceRecorder());
        var ids = ring.Peers.Select(p => p.Id).ToArray();
        ulong OwnerOf(string name) => FileInvariant.OwnerOf(FileKey.Of(name, ring.Space), ids);
        var (lostName, keptName) = ("1234", "5678");
        Assert.NotEqual(OwnerOf(lostName), OwnerOf(keptName));
        var schedule = new ScriptedSchedule(
            new StoreFile(ids[3], lostName, [.. Enumerable.Range(0, 70_000).Select(i => (byte)i)]),
            new StoreFile(ids[30], keptName, [1, 2, 3]),
            new RequestFile(ids[50], lostName),
            new CrashPeer(OwnerOf(lostName)),
            new RequestFile(ids[50], lostName),
            new RequestFile(OwnerOf(keptName), keptName));

        var first = SimulationRunner.Run(Settings, seed: 21, schedule);
        var again = SimulationRunner.Run(Settings, seed: 21, schedule);

        Assert.True(first.Passed, first.Failure);
        Assert.Equal(new FileTally(StoresStarted: 2, Stored: 2, Lost: 1, AwaitingTakeOver: 0, FetchesStarted: 3, Fetched: 2, Checks: first.Files.Checks), first.Files);
        Assert.True(first.Files.Checks > 0);
        Assert.Equal((first.TraceHash, first.TraceEntries), (again.TraceHash, again.TraceEntries));
    }

    [Fact]
    public void Crashing_two_adjacent_peers_beyond_the_fault_budget_is_caught_and_the_failure_replays()
    {
        var ids = new SimulatedRing(Settings, 7, new TraceRecorder()).Peers.Select(p => p.Id).ToArray();
        var schedule = new ScriptedSchedule(new CrashPeer(ids[10]), new CrashPeer(ids[11]));
        var failed = SimulationRunner.Run(Settings, seed: 7, schedule);
        var replayed = SimulationRunner.Run(Settings, seed: 7, schedule);
        Assert.Equal($"step 2 at t=17.040 s after 'crash peer {ids[11]}': LiveSuccCondition: peer {ids[9]} has no live member in its successor list [{ids[10]}, {ids[11]}]; " +
            "AtLeastOneRing: following best successors reaches no cycle", failed.Failure);
        Assert.Equal((failed.Failure, failed.TraceHash), (replayed.Failure, replayed.TraceHash));
    }

    [Fact]
    public void A_partition_makes_peers_forget_predecessors_and_after_it_heals_they_learn_them_again()
    {
        var ring = new SimulatedRing(Settings, 11, new TraceRecorder());
        ring.StartAll();
        ring.Clock.RunFor(Settings.SettleTime);
        Assert.Empty(PredecessorInvariant.Check(ring.LiveSnapshots()));
        // Within the stated bound: island members more than r ring positions apart.
        var island = ring.Peers.Where((_, i) => i % 4 == 0).Take(8).ToArray();

        new PartitionNetwork(island.Select(p => p.Id).ToArray()).Apply(ring);
        ring.Clock.RunFor(Settings.SettleTime);
        // The first peer of the island no longer hears the two peers before it, across the cut.
        Assert.Empty(island[0].Snapshot!.Predecessors);
        Assert.Empty(RingInvariants.Check(ring.Space, ring.LiveSnapshots()));

        new HealPartitions().Apply(ring);
        ring.Clock.RunFor(Settings.SettleTime);
        Assert.Empty(PredecessorInvariant.Check(ring.LiveSnapshots()));
    }

    [Fact]
    public void A_crashed_peer_is_forgotten_by_its_successors_and_relearned_when_it_restarts()
    {
        var ring = new SimulatedRing(Settings, 12, new TraceRecorder());
        ring.StartAll();
        ring.Clock.RunFor(Settings.SettleTime);
        var peers = ring.Peers.ToArray();
        var (victim, next) = (peers[20], peers[21]);

        ring.Crash(victim);
        ring.Clock.RunFor(Settings.SettleTime);
        Assert.DoesNotContain(victim.Id, next.Snapshot!.Predecessors);
        Assert.True(victim.Stopping!.IsCompletedSuccessfully);

        ring.Restart(victim);
        ring.Clock.RunFor(Settings.SettleTime);
        Assert.Equal(victim.Id, next.Snapshot!.Predecessors[0]);
        Assert.Equal([peers[19].Id, peers[18].Id], victim.Snapshot!.Predecessors);
        Assert.Empty(ring.TakeProblems());
    }

    [Fact]
    public void The_fault_budget_refuses_a_crash_next_to_a_crashed_member()
    {
        var ring = new SimulatedRing(Settings, 13, new TraceRecorder());
        ring.StartAll();
        ring.Clock.RunFor(Settings.SettleTime);
        var peers = ring.Peers.ToArray();
        ring.Crash(peers[5]);
        Assert.Equal(1, FaultBudget.MaxAdjacentDown(Settings));
        Assert.False(FaultBudget.AllowsCrash(ring, peers[4].Id));
        Assert.False(FaultBudget.AllowsCrash(ring, peers[6].Id));
        Assert.True(FaultBudget.AllowsCrash(ring, peers[7].Id));
    }
}
