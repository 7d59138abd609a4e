using DhtPs.Simulation.Operations;
using DhtPs.Simulation.Schedules;

namespace DhtPs.Simulation;

/// <summary>
/// Issue 13's flap, reproduced: the members of a ring alternate between a fast and a slow ping interval (1 s and
/// 30 s), and a fast member whose first predecessor is slow and whose second is fast is killed. The fast predecessor
/// declares it dead within a few of its intervals and forgets the death after (limit + 1) of them, while the slow one
/// still offers it in its successor list; the fast one takes it back from there, declares it dead again, and so on
/// until the slow one notices. <see cref="Invariants.DeadPeerReadoptions"/> counts each time it is taken back.
/// </summary>
public static class MixedIntervalScenario
{
    /// <summary>The position of the killed member in the init ring: fast, after a slow member after a fast one.</summary>
    public const int VictimIndex = 4;

    public static SimulationSettings Settings(TimeSpan observe, TimeSpan? slowInterval = null, int peers = 8) => new()
    {
        Peers = peers,
        PingInterval = TimeSpan.FromSeconds(1),
        SlowPingInterval = slowInterval ?? TimeSpan.FromSeconds(30),
        SlowPeerEvery = 2,
        Steps = (int)Math.Ceiling(observe / TimeSpan.FromSeconds(1)),
        StepLength = TimeSpan.FromSeconds(1),
    };

    /// <summary>Kills the victim at the first step and lets the ring run; the run then heals and settles as every run does.</summary>
    public static Outcome Run(SimulationSettings settings, int seed, TextWriter? trace = null)
    {
        if (settings.PingIntervalOf(VictimIndex) != settings.PingInterval || settings.PingIntervalOf(VictimIndex - 1) == settings.PingInterval)
            throw new ArgumentException("The victim must be fast and its first predecessor slow (SlowPeerEvery 2).", nameof(settings));
        var ids = new SimulatedRing(settings, seed, new TraceRecorder()).Peers.Select(p => p.Id).ToArray();
        var victim = ids[VictimIndex];
        var result = SimulationRunner.Run(settings, seed, new ScriptedSchedule(new KillPeer(victim)), trace);
        // The runner settles the init ring for SettleTime, then applies the first step: the kill.
        var killedAt = settings.SettleTime;
        var observed = killedAt + settings.StepLength * settings.Steps;
        return new Outcome(result, victim, ids[VictimIndex - 1], ids[VictimIndex - 2], killedAt,
            result.Readoptions.Count(r => r.Dead == victim && r.TakenBackAt <= observed));
    }

    /// <summary>
    /// How the run went; <see cref="ReadoptionsWhileObserved"/> counts the victim taken back within the observed steps
    /// after the kill (the run's own <see cref="SimulationResult.Readoptions"/> go on through its settling).
    /// </summary>
    public sealed record Outcome(SimulationResult Result, ulong Victim, ulong SlowPredecessor, ulong FastPredecessor, TimeSpan KilledAt,
        int ReadoptionsWhileObserved)
    {
        public override string ToString() =>
            $"seed {Result.Seed}: peer {Victim} killed at t={KilledAt.TotalSeconds:0.000} s (first predecessor {SlowPredecessor} slow, second {FastPredecessor} fast); " +
            $"taken back {ReadoptionsWhileObserved} time(s) while observed, {Result.Readoptions.Count} in the whole run; " +
            (Result.Passed ? "every other invariant held" : $"FAILED {Result.Failure}");
    }
}
