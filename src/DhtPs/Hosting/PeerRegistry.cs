using System.Collections.Concurrent;
using DhtPs.Core.Peer;

namespace DhtPs.Hosting;

/// <summary>The peers this process runs, by id. Emptied on module removal and at process exit.</summary>
internal static class PeerRegistry
{
    private static readonly ConcurrentDictionary<ulong, DhtPeerJob> Peers = new();

    public static IEnumerable<DhtPeerJob> All => Peers.Values.OrderBy(j => j.Peer.Id);

    public static bool TryGet(ulong id, out DhtPeerJob job) => Peers.TryGetValue(id, out job!);

    public static bool TryAdd(DhtPeerJob job) => Peers.TryAdd(job.Peer.Id, job);

    /// <summary>Removes the peer once it has stopped, whoever stopped it (a peer may also stop on its own).</summary>
    public static void RemoveWhenStopped(DhtPeerJob job) =>
        job.Peer.Completion.ContinueWith(_ => Remove(job), TaskScheduler.Default);

    /// <summary>
    /// Stops a peer, by default departing gracefully (SPEC §5); abruptly tells nobody.
    /// When this returns, the peer is gone from the registry.
    /// </summary>
    public static async Task StopAsync(DhtPeerJob job, bool abrupt = false)
    {
        await (abrupt ? job.Peer.StopAsync() : job.Peer.DepartAsync()).ConfigureAwait(false);
        Remove(job);
    }

    private static void Remove(DhtPeerJob job) => Peers.TryRemove(new KeyValuePair<ulong, DhtPeerJob>(job.Peer.Id, job));

    public static void StopAll()
    {
        var stopping = Peers.Values.Select(j => j.Peer.StopAsync()).ToArray();
        Task.WaitAll(stopping, TimeSpan.FromSeconds(10));
        Peers.Clear();
    }
}
