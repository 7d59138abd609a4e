using DhtPs.Core.Storage;
using DhtPs.Simulation;
using DhtPs.Simulation.Invariants;
using DhtPs.Simulation.Operations;
using DhtPs.Simulation.Schedules;
using Xunit.Abstractions;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>Three copies of every file (r = 3, successor lists of 4) on the simulated network: what survives crashes, and what cannot.</summary>
[Collection(SimulationCollection.Name)]
public sealed class ReplicaSimulationTests(ITestOutputHelper output)
{
    private static readonly SimulationSettings Settings = new() { Peers = 24, Steps = 12, ReplicationFactor = 3, SuccessorListLength = 4 };

    [Fact]
    public void Chaos_schedules_with_three_copies_lose_no_acknowledged_file_and_every_calm_fetch_succeeds()
    {
        var results = SeedSweep.Run(Settings with { Peers = 64, Steps = 30, InitialFiles = 30, RequireDeadStayDead = true }, firstSeed: 1, count: 20);

        var failures = results.Where(r => !r.Passed).Select(r => r.ToString()).ToArray();
        Assert.True(failures.Length == 0, string.Join(Environment.NewLine, failures));
        var files = SeedSweep.TotalFiles(results);
        var availability = SeedSweep.TotalAvailability(results);
        output.WriteLine($"{files}; {availability}");
        Assert.True(results.Sum(r => r.Crashes + r.Kills) > 20, "the schedules crashed and killed peers");
        Assert.True(files is { Stored: > 500, Lost: 0, Checks: > 20 }, files.ToString());
        // Each run ends by fetching every kept file once, calm, and fails if one fails; stores of a name again make new versions.
        Assert.True(availability.CalmStarted > 0 && availability.CalmSucceeded == availability.CalmStarted, availability.ToString());
        Assert.True(files is { Overwrites: > 0, Removes: > 0, StaleServed: 0 }, files.ToString());
        // Issue 11 asks 99 % during churn over 1,000 seeds (docs/benchmarks.md); 20 seeds vary more, and a fetch cut off by a partition fails.
        Assert.True(availability.ChurnSucceeded >= 0.95 * availability.ChurnStarted, availability.ToString());
    }

    [Fact]
    public void Killing_three_adjacent_peers_at_once_loses_exactly_the_files_whose_every_copy_was_on_them()
    {
        const int seed = 5;
        var ring = new SimulatedRing(Settings, seed, new TraceRecorder());
        var ids = ring.Peers.Select(p => p.Id).ToArray();
        var space = ring.Space;
        var (first, second, third) = (ids[6], ids[7], ids[8]);
        // Files owned by each of the peers around the three, so some have every copy on them and some only one or two.
        var names = Enumerable.Range(1000, 9000).Select(n => n.ToString("D4"))
            .GroupBy(name => FileInvariant.OwnerOf(FileKey.Of(name, space), ids))
            .Where(owner => Array.IndexOf(ids, owner.Key) is >= 4 and <= 9)
            .SelectMany(owner => owner.Take(2))
            .ToArray();
        var predictedLost = names.Where(name => FileInvariant.HoldersOf(FileKey.Of(name, space), ids, 3).All(h => h == first || h == second || h == third)).ToArray();
        Assert.Equal(2, predictedLost.Length);   // the two owned by the first of the three
        Assert.Equal(12, names.Length);
        var schedule = new ScriptedSchedule([
            .. names.Select((name, i) => new StoreFile(ids[(i * 5) % ids.Length], name, [.. Enumerable.Range(0, 3000 + i).Select(b => (byte)(b * 7 + i))])),
            new Wait(),
            new CrashPeers(first, second, third),
        ]);

        var run = SimulationRunner.Run(Settings with { Steps = names.Length + 12 }, seed, schedule);

        Assert.True(run.Passed, run.Failure);   // every other file: three copies on exactly its holders once calm, and fetched
        Assert.Equal((names.Length, names.Length, predictedLost.Length), (run.Files.StoresStarted, run.Files.Stored, run.Files.Lost));
        Assert.Equal(names.Length - predictedLost.Length, run.Availability.CalmSucceeded);
    }
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void An_owner_whose_holder_crashed_and_whose_next_holder_left_copies_its_files_on_before_it_crashes_seven_seconds_later(int phase)
    {
        // Seed 711 at 64 peers: a refresh pass began just after the first holder crashed and waited a request timeout on its
        // digest and another on its list, so the owner made no copy at the holders after it; the second holder left and the
        // owner crashed 7 s after the first, before the pass ended. Each phase starts the crash at another point of the
        // owner's four-interval refresh, so one of them finds a pass under way.
        const int seed = 5;
        var ring = new SimulatedRing(Settings, seed, new TraceRecorder());
        var ids = ring.Peers.Select(p => p.Id).ToArray();
        var space = ring.Space;
        var (owner, firstHolder, secondHolder) = (ids[8], ids[9], ids[10]);
        var names = Enumerable.Range(1000, 9000).Select(n => n.ToString("D4"))
            .Where(name => FileInvariant.OwnerOf(FileKey.Of(name, space), ids) == owner).Take(3).ToArray();
        var schedule = new ScriptedSchedule([
            .. names.Select((name, i) => new StoreFile(ids[(i * 5 + 1) % ids.Length], name, [.. Enumerable.Range(0, 4000 + i).Select(b => (byte)(b * 3 + i))])),
            .. Enumerable.Repeat<ISimulationOperation>(new Wait(), 4 + phase),
            new CrashPeer(firstHolder), new Wait(), new LeavePeer(secondHolder),
            .. Enumerable.Repeat<ISimulationOperation>(new Wait(), 4),
            new CrashPeer(owner),
        ]);

        var run = SimulationRunner.Run(Settings with { Steps = names.Length + 20 + phase }, seed, schedule);

        Assert.True(run.Passed, run.Failure);
        Assert.Equal((names.Length, names.Length, 0), (run.Files.StoresStarted, run.Files.Stored, run.Files.Lost));
        Assert.Equal(names.Length, run.Availability.CalmSucceeded);
    }
}
