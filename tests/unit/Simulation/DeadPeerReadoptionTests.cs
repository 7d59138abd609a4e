using DhtPs.Core.Peer;
using DhtPs.Simulation;
using DhtPs.Simulation.Invariants;
using DhtPs.Simulation.Operations;
using DhtPs.Simulation.Schedules;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>
/// Issue 13's rule, "a dead peer, once declared, is never again taken as a successor", as a checker; and the flap of a
/// ring that mixes 1 s and 30 s ping intervals, reproduced in the simulation.
/// </summary>
[Collection(SimulationCollection.Name)]
public sealed class DeadPeerReadoptionTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);

    private static DhtEvent Dead(ulong peer, ulong dead) => new(DateTimeOffset.UnixEpoch, peer, DhtEventKind.SuccessorDead, $"Peer {dead} is no longer alive", dead);

    private static DhtEvent Taken(ulong peer, ulong successor) =>
        new(DateTimeOffset.UnixEpoch, peer, DhtEventKind.SuccessorChanged, $"My new second successor is Peer {successor}", successor);

    [Fact]
    public void A_peer_declared_dead_and_taken_back_while_still_down_at_the_same_start_is_a_readoption()
    {
        var checker = new DeadPeerReadoptions();
        (bool, int)? down = (false, 1);
        checker.Observe(Taken(58, 167), T, _ => down); // never declared: no readoption
        checker.Observe(Dead(58, 167), T, _ => down);
        checker.Observe(Taken(87, 167), T * 2, _ => down); // another peer, which never declared it
        checker.Observe(Taken(58, 167), T * 3, _ => down);

        var found = Assert.Single(checker.Found);
        Assert.Equal(new Readoption(58, 167, T, T * 3, "My new second successor is Peer 167"), found);
        Assert.Equal("DeadStaysDead: peer 58 declared peer 167 dead at t=10.000 s, and at t=30.000 s, with peer 167 still down, " +
            "said 'My new second successor is Peer 167'", Assert.Single(checker.Violations()).ToString());
    }

    [Fact]
    public void A_peer_taken_back_once_restarted_or_never_down_is_no_readoption()
    {
        var checker = new DeadPeerReadoptions();
        checker.Observe(Dead(58, 167), T, _ => (false, 1));
        checker.Observe(Taken(58, 167), T * 2, _ => (true, 2)); // restarted: a new incarnation
        checker.Observe(Dead(58, 80), T, _ => (true, 1));
        checker.Observe(Taken(58, 80), T * 2, _ => (true, 1)); // a false positive: it was up all along
        checker.Observe(Taken(58, 80), T * 3, _ => (false, 1)); // down later, but not declared dead again since
        checker.Observe(Dead(58, 90), T, _ => (true, 2));      // declared just after a restart: a verdict on incarnation 1
        checker.Observe(Taken(58, 90), T * 2, _ => (false, 2)); // killed since, and taken back on hearsay of incarnation 2

        Assert.Empty(checker.Found);
        Assert.Empty(checker.Violations());
    }

    [Fact]
    public void Every_second_peer_pings_at_the_slow_interval_and_the_ring_settles_for_the_slowest()
    {
        var settings = new SimulationSettings { Peers = 8, SlowPingInterval = TimeSpan.FromSeconds(30), SlowPeerEvery = 2 };
        Assert.Equal([1.0, 30, 1, 30, 1, 30, 1, 30], Enumerable.Range(0, 8).Select(i => settings.PingIntervalOf(i).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(30), settings.LongestPingInterval);
        Assert.Equal(settings.RequestTimeout * 2 + TimeSpan.FromSeconds(30) * 15 + settings.CalmNetwork.MaxDelay * 2, settings.SettleTime);
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(TimeSpan.FromSeconds(1), new SimulationSettings().PingIntervalOf(i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => (settings with { SlowPeerEvery = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (settings with { SlowPingInterval = TimeSpan.Zero }).Validate());
    }

    [Fact]
    public void With_one_interval_a_killed_peer_is_declared_dead_and_never_taken_back()
    {
        var settings = new SimulationSettings { Peers = 8, Steps = 60, RequireDeadStayDead = true };
        var ids = new SimulatedRing(settings, 1, new TraceRecorder()).Peers.Select(p => p.Id).ToArray();
        var trace = new StringWriter();

        var run = SimulationRunner.Run(settings, 1, new ScriptedSchedule(new KillPeer(ids[MixedIntervalScenario.VictimIndex])), trace);

        Assert.True(run.Passed, run.Failure);
        Assert.Contains($"Peer {ids[MixedIntervalScenario.VictimIndex]} is no longer alive", trace.ToString()); // the checker had something to check
        Assert.Empty(run.Readoptions);
    }

    /// <summary>
    /// Issue 13's flap, fixed: a ring mixing 1 s and 30 s intervals, the fast second predecessor of a killed peer declares it
    /// dead while the slow first predecessor still lists it for up to 30 s; the fast one used to take it back from that
    /// list every few seconds (its memory of the death was its own 4 s). Now the death is held at the killed peer's
    /// incarnation, which its slow neighbour offers it at, and told on to that neighbour: never taken back, and the slow
    /// neighbour declares it dead too. Replayable, and the strict run (DeadStaysDead) passes.
    /// </summary>
    [Fact]
    public void Issue_13_fixed_a_fast_peer_never_takes_a_killed_peer_back_from_its_slow_neighbours_list()
    {
        var settings = MixedIntervalScenario.Settings(observe: TimeSpan.FromSeconds(60));

        var trace = new StringWriter();
        var outcome = MixedIntervalScenario.Run(settings, seed: 1, trace);
        var replayed = MixedIntervalScenario.Run(settings, seed: 1);

        Assert.True(outcome.Result.Passed, outcome.Result.Failure);
        Assert.Empty(outcome.Result.Readoptions);
        Assert.Equal(0, outcome.ReadoptionsWhileObserved);
        var said = trace.ToString();
        Assert.Contains($"peer {outcome.FastPredecessor} ", said);
        Assert.Single(said.Split('\n'), line => line.Contains($"peer {outcome.FastPredecessor} ", StringComparison.Ordinal)
            && line.Contains($"Peer {outcome.Victim} is no longer alive", StringComparison.Ordinal) && ParseTime(line) > outcome.KilledAt.TotalSeconds);
        Assert.Contains(said.Split('\n'), line => line.Contains($"peer {outcome.SlowPredecessor} ", StringComparison.Ordinal)
            && line.Contains($"Peer {outcome.Victim} is no longer alive", StringComparison.Ordinal));
        Assert.Equal((outcome.Result.TraceHash, 0), (replayed.Result.TraceHash, replayed.Result.Readoptions.Count));

        var strict = MixedIntervalScenario.Run(settings with { RequireDeadStayDead = true }, seed: 1);
        Assert.True(strict.Result.Passed, strict.Result.Failure);
    }

    /// <summary>The simulated time a trace line starts with, in seconds.</summary>
    private static double ParseTime(string line) =>
        double.Parse(line.TrimStart().Split(' ', 2)[0], System.Globalization.CultureInfo.InvariantCulture);
}
