using System.Collections.Concurrent;
using System.Management.Automation;

namespace DhtPs.Hosting;

/// <summary>
/// The peers this process runs, by id, and every peer job it added to a job repository. Emptied on module removal
/// (peers stopped, their jobs taken out of Get-Job) and at process exit.
/// </summary>
internal static class PeerRegistry
{
    /// <summary>By default a graceful departure (hand-off, notices) that takes longer than this is cut short: the peer stops abruptly.</summary>
    public static readonly TimeSpan DepartureLimit = TimeSpan.FromSeconds(60);

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
    /// Stops a peer, by default departing gracefully (SPEC §5) within <paramref name="limit"/> (default
    /// <see cref="DepartureLimit"/>); abruptly tells nobody. When this returns, the peer is gone from the registry.
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
                await job.Peer.DepartAsync().WaitAsync(limit ?? DepartureLimit).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await job.Peer.StopAsync().ConfigureAwait(false);
            }
        }
        Remove(job);
    }

    private static void Remove(DhtPeerJob job) => Peers.TryRemove(new KeyValuePair<ulong, DhtPeerJob>(job.Peer.Id, job));

    /// <summary>Stops every peer at once (abruptly: the process or the module is going) and forgets their jobs.</summary>
    public static void StopAll()
    {
        var stopping = Peers.Values.Select(j =>
        {
            j.MarkStopping();
            return j.Peer.StopAsync();
        }).ToArray();
        Task.WaitAll(stopping, TimeSpan.FromSeconds(10));
        Peers.Clear();
    }

    /// <summary>Module removal: also takes every peer job this module listed out of Get-Job.</summary>
    public static void StopAllAndUnlist()
    {
        StopAll();
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
