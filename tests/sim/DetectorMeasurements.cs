using DhtPs.Core.Peer;
using DhtPs.Core.Transport.InMemory;

namespace DhtPs.Simulation;

/// <summary>
/// Issue 13's failure-detection measurements on the simulated ring (docs/benchmarks.md): how many ping intervals from a
/// crash until every live neighbour that listed the crashed peer has repaired its list; and how many live peers are
/// declared dead (false evictions) under datagram loss, or when one peer is cut off for a few intervals as a stalled
/// process would be. Deterministic per seed.
/// </summary>
public static class DetectorMeasurements
{
    /// <summary>How often the clock is stopped to look at the lists while a repair runs.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest a repair is waited for before it counts as not done.</summary>
    private static readonly TimeSpan RepairLimit = TimeSpan.FromSeconds(60);

    public sealed record RepairOutcome(int Crashes, IReadOnlyList<double> Intervals, int NotRepaired, int FalseEvictions, int Unsettled)
    {
        public double Quantile(double q) => Intervals.Count == 0 ? double.NaN : Intervals.Order().ElementAt(Math.Min(Intervals.Count - 1, (int)Math.Ceiling(q * Intervals.Count) - 1));

        public override string ToString() =>
            $"{Crashes} crashes: crash to every live neighbour repaired, in ping intervals: median {Quantile(0.5):0.00}, p99 {Quantile(0.99):0.00}, " +
            $"max {(Intervals.Count == 0 ? double.NaN : Intervals.Max()):0.00}; {NotRepaired} not repaired within {RepairLimit.TotalSeconds:0} s; " +
            $"{FalseEvictions} live peers declared dead meanwhile; {Unsettled} times the ring had not settled 60 s after the restart";
    }

    /// <param name="OfStalled">Of the <paramref name="FalseEvictions"/>, how many declared the peer cut off at the time dead (the rest are of peers that stayed reachable).</param>
    /// <param name="ByStalled">Of the <paramref name="FalseEvictions"/>, how many the cut-off peer itself declared (Lifeguard's local health is for these).</param>
    public sealed record EvictionOutcome(string Condition, TimeSpan Watched, int FalseEvictions, long DatagramsLost, long DatagramsSent, bool RingWholeAfter,
        int OfStalled = 0, int ByStalled = 0, int Stalls = 0)
    {
        public override string ToString() =>
            $"{Condition}, {Watched.TotalMinutes:0} min simulated: {FalseEvictions} false evictions" +
            (Stalls > 0 ? $" in {Stalls} stalls ({OfStalled} of the stalled peer by its predecessors, {ByStalled} by the stalled peer of reachable peers, {FalseEvictions - OfStalled - ByStalled} other)" : "") +
            $"; datagrams {DatagramsLost} of {DatagramsSent} lost; ring whole afterwards: {RingWholeAfter}";
    }

    /// <summary>
    /// <paramref name="crashes"/> times: crash a random member, measure until every live peer that listed it has a full
    /// list without it, restart it (a new process, a new incarnation) and wait for the ring to settle before the next.
    /// </summary>
    /// <param name="processOnly">
    /// The process dies and its host stays up (a SIGKILL: connections refused at once), instead of the whole host going
    /// dark (nothing answers, every question times out, as across a partition).
    /// </param>
    /// <param name="trace">If set, the events of the crashed peer's neighbours from each crash to its repair, with the time since the crash in intervals.</param>
    public static RepairOutcome CrashToRepair(SimulationSettings settings, int seed, int crashes, bool processOnly = false, TextWriter? trace = null)
    {
        var ring = new SimulatedRing(settings, seed, new TraceRecorder());
        ulong? down = null;
        var falseEvictions = 0;
        HashSet<ulong> watched = [];
        var crashedAt = TimeSpan.Zero;
        ring.Raised += (raised, _) =>
        {
            if (raised.Kind is DhtEventKind.SuccessorDead && raised.RemotePeerId != down)
                falseEvictions++;
            if (trace is not null && down is not null && watched.Contains(raised.PeerId))
                trace.WriteLine($"  {(ring.Clock.Elapsed - crashedAt) / settings.PingInterval,6:0.000}  peer {raised.PeerId,-6} {raised.Kind,-22} {raised.Message}" +
                    (raised.Evidence is { } evidence ? $"  [{evidence}]" : ""));
        };
        ring.StartAll();
        ring.Clock.RunFor(settings.SettleTime);
        var intervals = new List<double>();
        var (notRepaired, unsettled) = (0, 0);
        for (var i = 0; i < crashes; i++)
        {
            var members = ring.Peers.Where(p => p.IsMember).ToArray();
            var victim = members[ring.Random.Next(members.Length)];
            var neighbours = members.Where(p => p != victim && p.Snapshot!.Successors.Contains(victim.Id)).ToArray();
            down = victim.Id;
            watched = [.. neighbours.Select(n => n.Id)];
            crashedAt = ring.Clock.Elapsed;
            trace?.WriteLine($"crash {i + 1}: peer {victim.Id} at {crashedAt.TotalSeconds:0.000} s; it was listed by {string.Join(", ", neighbours.Select(n => $"{n.Id} (rank {n.Snapshot!.Successors.ToList().IndexOf(victim.Id) + 1})"))}");
            if (processOnly)
                ring.CrashProcess(victim);
            else
                ring.Crash(victim);
            while (!neighbours.All(n => Repaired(n, victim.Id, settings.SuccessorListLength)) && ring.Clock.Elapsed - crashedAt < RepairLimit)
                ring.Clock.RunFor(Poll);
            if (neighbours.All(n => Repaired(n, victim.Id, settings.SuccessorListLength)))
            {
                intervals.Add((ring.Clock.Elapsed - crashedAt) / settings.PingInterval);
                trace?.WriteLine($"  repaired after {intervals[^1]:0.000} intervals");
            }
            else
                notRepaired++;
            while (victim.Stopping is not { IsCompleted: true })
                ring.Clock.RunFor(Poll);
            ring.Restart(victim);
            down = null;
            var restartedAt = ring.Clock.Elapsed;
            do
                ring.Clock.RunFor(settings.PingInterval);
            while (!Settled(ring, settings.SuccessorListLength) && ring.Clock.Elapsed - restartedAt < TimeSpan.FromSeconds(60));
            if (!Settled(ring, settings.SuccessorListLength))
                unsettled++;
        }
        return new RepairOutcome(crashes, intervals, notRepaired, falseEvictions, unsettled);
    }

    /// <summary>
    /// A settled ring under <paramref name="conditions"/> for <paramref name="watch"/>, nobody crashing: every death
    /// declared is a false eviction. <paramref name="stalls"/>, if positive, cuts one random peer off for that many ping
    /// intervals (nothing in or out, as a stalled process looks), then heals, as often as fits in the watch with a settle between.
    /// </summary>
    /// <param name="linkCuts">
    /// If positive (and no <paramref name="stalls"/>), cuts the one path between a random peer and its first successor,
    /// both ways, for that many ping intervals (each still reaches everyone else), then restores it, as often as fits:
    /// the broken route SWIM's indirect probes are for.
    /// </param>
    public static EvictionOutcome FalseEvictions(SimulationSettings settings, int seed, NetworkConditions conditions, TimeSpan watch, int stalls = 0, int linkCuts = 0)
    {
        var ring = new SimulatedRing(settings, seed, new TraceRecorder());
        var (evictions, ofStalled, byStalled, stallCount) = (0, 0, 0, 0);
        var counting = false;
        ulong? stalledNow = null;
        ring.Raised += (raised, _) =>
        {
            if (!counting || raised.Kind is not DhtEventKind.SuccessorDead)
                return;
            evictions++;
            if (raised.RemotePeerId == stalledNow)
                ofStalled++;
            else if (raised.PeerId == stalledNow)
                byStalled++;
        };
        ring.StartAll();
        ring.Clock.RunFor(settings.SettleTime);
        var (lostBefore, sentBefore) = (ring.Network.Statistics.DatagramsLost, ring.Network.Statistics.DatagramsSent);
        ring.Network.Conditions = conditions;
        counting = true;
        var start = ring.Clock.Elapsed;
        while (ring.Clock.Elapsed - start < watch)
        {
            if (stalls > 0)
            {
                var members = ring.Peers.Where(p => p.IsMember).ToArray();
                var stalled = members[ring.Random.Next(members.Length)];
                ring.Partition([stalled.Id]);
                (stalledNow, stallCount) = (stalled.Id, stallCount + 1);
                ring.Clock.RunFor(settings.PingInterval * stalls);
                ring.HealPartitions();
                // Deaths of it declared just after the heal, with the question asked across the cut, still count as its.
                ring.Clock.RunFor(settings.PingInterval * 5);
                stalledNow = null;
                ring.Clock.RunFor(settings.PingInterval * 25);
            }
            else if (linkCuts > 0)
            {
                var members = ring.Peers.Where(p => p.IsMember).ToArray();
                var cut = members[ring.Random.Next(members.Length)];
                var successor = ring[cut.Snapshot!.Successors[0]];
                ring.Network.CutLink(cut.EndPoint, successor.EndPoint);
                stallCount++;
                ring.Clock.RunFor(settings.PingInterval * linkCuts);
                ring.Network.RestoreLinks();
                ring.Clock.RunFor(settings.PingInterval * 30);
            }
            else
                ring.Clock.RunFor(TimeSpan.FromMinutes(1));
        }
        counting = false;
        var watched = ring.Clock.Elapsed - start;
        ring.Network.Conditions = settings.CalmNetwork;
        var settleFrom = ring.Clock.Elapsed;
        do
            ring.Clock.RunFor(settings.PingInterval);
        while (!Settled(ring, settings.SuccessorListLength) && ring.Clock.Elapsed - settleFrom < settings.SettleTime);
        var condition = stalls > 0
            ? $"{settings.Peers} peers at {settings.PingInterval.TotalSeconds:0.#} s, one peer at a time cut off for {stalls} intervals then 30 s calm, datagram loss {conditions.LossRate:0.##}"
            : linkCuts > 0
                ? $"{settings.Peers} peers at {settings.PingInterval.TotalSeconds:0.#} s, one peer's path to its first successor cut for {linkCuts} intervals at a time ({stallCount} cuts) then 30 s calm, datagram loss {conditions.LossRate:0.##}"
                : $"{settings.Peers} peers at {settings.PingInterval.TotalSeconds:0.#} s, datagram loss {conditions.LossRate:0.##}";
        condition += $", indirect probes {settings.IndirectProbes}";
        return new EvictionOutcome(condition, watched, evictions, ring.Network.Statistics.DatagramsLost - lostBefore,
            ring.Network.Statistics.DatagramsSent - sentBefore, Settled(ring, settings.SuccessorListLength), ofStalled, byStalled, stalls > 0 ? stallCount : 0);
    }

    private static bool Repaired(SimulatedPeer neighbour, ulong crashed, int length) =>
        !neighbour.IsUp || neighbour.Snapshot is { } s && !s.Successors.Contains(crashed) && s.Successors.Count == length;

    /// <summary>Every member's successor list is the next members in id order.</summary>
    private static bool Settled(SimulatedRing ring, int length)
    {
        var members = ring.Peers.Where(p => p.IsMember).OrderBy(p => p.Id).ToArray();
        for (var i = 0; i < members.Length; i++)
        {
            var expected = Enumerable.Range(1, Math.Min(length, members.Length - 1)).Select(k => members[(i + k) % members.Length].Id);
            if (!members[i].Snapshot!.Successors.SequenceEqual(expected))
                return false;
        }
        return true;
    }
}
