using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>
/// The peers this process runs, by id, and every peer job it added to a job repository. Emptied on module removal
/// (peers stopped, their jobs taken out of Get-Job) and at process exit.
/// </summary>
internal static class PeerRegistry
{
    private static readonly ConcurrentDictionary<ulong, DhtPeerJob> Peers = new();
    private static readonly ConcurrentDictionary<DhtPeerJob, JobRepository> Listed = new();

    public static IEnumerable<DhtPeerJob> All => Peers.Values.OrderBy(j => j.Peer.Id);

    public static bool TryGet(ulong id, out DhtPeerJob job) => Peers.TryGetValue(id, out job!);

    public static bool TryAdd(DhtPeerJob job) => Peers.TryAdd(job.Peer.Id, job);

    /// <summary>Lists the job in Get-Job; <see cref="Unlist"/> and module removal take it out again.</summary>
    public static void List(DhtPeerJob job, JobRepository repository)
    {
        repository.Add(job);
        Listed[job] = repository;
    }

    public static void Unlist(DhtPeerJob job)
    {
        if (Listed.TryRemove(job, out var repository))
            repository.Remove(job);
    }

    /// <summary>Removes the peer once it has stopped, whoever stopped it (a peer may also stop on its own).</summary>
    public static void RemoveWhenStopped(DhtPeerJob job) =>
        job.Peer.Completion.ContinueWith(_ => Remove(job), TaskScheduler.Default);

    /// <summary>
    /// Stops a peer, by default departing gracefully (SPEC §5) within <paramref name="limit"/> (default the peer's
    /// <see cref="DhtPeerJob.DepartTimeout"/>), then abruptly; abruptly tells nobody. When this returns, the peer is
    /// gone from the registry.
    /// </summary>
    public static async Task StopAsync(DhtPeerJob job, bool abrupt = false, TimeSpan? limit = null)
    {
        job.MarkStopping();
        if (abrupt)
        {
            await job.Peer.StopAsync().ConfigureAwait(false);
        }
        else
        {
            try
            {
                await job.Peer.DepartAsync().WaitAsync(limit ?? job.DepartTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await job.Peer.StopAsync().ConfigureAwait(false);
            }
        }
        job.Finish();
        Remove(job);
    }

    private static void Remove(DhtPeerJob job) => Peers.TryRemove(new KeyValuePair<ulong, DhtPeerJob>(job.Peer.Id, job));

    /// <summary>
    /// The process or the module is going: every peer departs gracefully, one after another along the ring, so each
    /// hands its files to a successor that is not itself leaving at the same moment. The whole departure is bounded by
    /// the longest <see cref="DhtPeerJob.DepartTimeout"/>; peers still here at that point stop abruptly. A ring that runs
    /// in this session alone stops at once: there is nobody to hand files to.
    /// </summary>
    public static void DepartAll()
    {
        // SIGTERM's handler and the process exit may both end the session: the second waits for the first, then has nothing left.
        lock (Departing)
            DepartAllInRingOrder();
    }

    private static readonly Lock Departing = new();

    private static void DepartAllInRingOrder()
    {
        var departing = InRingOrder(Peers.Values);
        if (departing.Count == 0)
            return;
        if (IsWholeRing(departing))
        {
            // Nobody outside is left to hand files to or to tell: the ring ends with the session.
            Task.WaitAll([.. departing.Select(j => StopAsync(j, abrupt: true))], TimeSpan.FromSeconds(10));
            Peers.Clear();
            return;
        }
        var bound = departing.Max(j => j.DepartTimeout);
        var elapsed = Stopwatch.StartNew();
        TimeSpan Left() => bound - elapsed.Elapsed;
        var departed = new HashSet<ulong>();
        foreach (var job in departing)
        {
            AwaitNewPredecessors(job, departed, Left());
            var limit = Left() < job.DepartTimeout ? Left() : job.DepartTimeout;
            try
            {
                if (limit > TimeSpan.Zero)
                    StopAsync(job, limit: limit).Wait();
                else
                    StopAsync(job, abrupt: true).Wait();
            }
            catch (AggregateException)
            {
                // A transport failing mid-departure: the peer still stops, and the others must go too.
            }
            departed.Add(job.Peer.Id);
        }
        Peers.Clear();
    }

    /// <summary>
    /// When a predecessor of <paramref name="job"/> has just departed (or its ranks have not settled since), waits (at
    /// most two and a half ping intervals, the time a silent predecessor keeps its rank plus one ping, and no longer
    /// than <paramref name="left"/>) until the ring has pinged <paramref name="job"/> from its new predecessors. Its departure notice must reach those, not the peers
    /// gone before it; and its successor, which learns the same predecessors from the same pings, takes the files
    /// <paramref name="job"/> hands over (its own and those it just received) only from the key range they show.
    /// </summary>
    private static void AwaitNewPredecessors(DhtPeerJob job, IReadOnlySet<ulong> departed, TimeSpan left)
    {
        // Stale while a slot still names a departed peer, or one peer holds two ranks (the next rank not yet re-filled).
        bool Stale() => job.Peer.Snapshot.Predecessors is var predecessors
            && (predecessors.Any(departed.Contains) || predecessors.Distinct().Count() < predecessors.Count);
        if (!Stale())
            return;
        var interval = job.Peer.Snapshot.PingInterval;
        var bound = interval * 2.5 < left ? interval * 2.5 : left;
        var waited = Stopwatch.StartNew();
        while (Stale() && waited.Elapsed < bound)
            Thread.Sleep(20);
    }

    /// <summary>Every neighbour of every one of <paramref name="jobs"/> is one of them: the ring runs in this session alone.</summary>
    private static bool IsWholeRing(IReadOnlyCollection<DhtPeerJob> jobs)
    {
        var local = jobs.Select(j => j.Peer.Id).ToHashSet();
        return jobs.All(j => j.Peer.Snapshot.Successors.Concat(j.Peer.Snapshot.Predecessors).All(local.Contains));
    }

    /// <summary>
    /// The peers in ring order, starting after the widest gap between them, so a peer departs before its local
    /// successor: its files reach that successor, which hands them on in its own turn.
    /// </summary>
    private static List<DhtPeerJob> InRingOrder(IEnumerable<DhtPeerJob> jobs)
    {
        var ordered = jobs.Where(j => j.Peer.Snapshot.State is not PeerStatus.Stopped).OrderBy(j => j.Peer.Id).ToList();
        if (ordered.Count < 2)
            return ordered;
        var space = ordered[0].Peer.Space;
        var start = Enumerable.Range(0, ordered.Count)
            .MaxBy(i => space.Distance(ordered[(i + ordered.Count - 1) % ordered.Count].Peer.Id, ordered[i].Peer.Id));
        return [.. ordered.Skip(start), .. ordered.Take(start)];
    }

    /// <summary>Module removal: also takes every peer job this module listed out of Get-Job.</summary>
    public static void DepartAllAndUnlist()
    {
        DepartAll();
        foreach (var job in Listed.Keys.ToArray())
        {
            try
            {
                Unlist(job);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // The user removed it already (Remove-Job), or its runspace is gone.
            }
        }
    }
}
