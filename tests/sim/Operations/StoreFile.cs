using DhtPs.Core.Peer;
using DhtPs.Core.Transfer;
using DhtPs.Simulation.Files;

namespace DhtPs.Simulation.Operations;

/// <summary>
/// A live peer stores a local file in the ring. The store runs on in the background, like a user's Save-DhtFile:
/// its outcome enters the trace when it completes, and a success is tracked for the file invariant.
/// </summary>
public sealed record StoreFile(ulong PeerId, string Name, byte[] Content) : ISimulationOperation
{
    /// <summary>How long the owner may take to accept the store.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A random live peer stores a file of random content up to a few chunks long under an unused 4-digit name, or, with
    /// copies (r &gt; 1), one time in three under a name stored before (a new version); null when no peer is up.
    /// </summary>
    public static StoreFile? Random(SimulatedRing ring)
    {
        var live = ring.Peers.Where(p => p.IsUp).ToArray();
        if (live.Length == 0)
            return null;
        var peer = live[ring.Random.Next(live.Length)];
        var stored = ring.Files.Stored;
        string name;
        if (ring.Settings.ReplicationFactor > 1 && stored.Count > 0 && ring.Random.Next(3) == 0)
            name = stored[ring.Random.Next(stored.Count)].Name;
        else
            do
                name = ring.Random.Next(10_000).ToString("D4");
            while (ring.Files.IsNameUsed(name));
        var content = new byte[1 + ring.Random.Next(3 * FileSender.ChunkLength)];
        ring.Random.NextBytes(content);
        return new StoreFile(peer.Id, name, content);
    }

    public void Apply(SimulatedRing ring)
    {
        var peer = ring[PeerId];
        var source = SimulatedPeer.SourcePath(Name);
        peer.Disk.WriteAllBytes(source, Content);
        ring.Files.BeginStore(Name, Content);
        _ = StoreAsync(ring, peer.Node!, source, ring.Members());
    }

    private async Task StoreAsync(SimulatedRing ring, PeerNode node, string source, IReadOnlyList<ulong> membersAtStart)
    {
        try
        {
            // ConfigureAwait(false): the store completes inside the clock's run, where no context would take the continuation away.
            var stored = await node.StoreAsync(source, Name, progress: null, Timeout, CancellationToken.None).ConfigureAwait(false);
            var members = membersAtStart.Intersect(ring.Members()).ToHashSet();
            ring.Files.StoreSucceeded(new TrackedFile(Name, stored.Key, Content, PeerId, members) { Version = stored.Version });
            ring.Record($"stored File {Name} at peer {stored.StoredAt} after {stored.Hops} hops, version {stored.Version}");
        }
        catch (DhtFileException e)
        {
            ring.Record($"store of File {Name} from peer {PeerId} failed ({e.Failure}): {e.Message}");
        }
        catch (Exception e)
        {
            ring.ReportProblem($"store of File {Name} from peer {PeerId} threw {e.GetType().Name}: {e.Message}");
        }
    }

    public override string ToString() => $"store File {Name} ({Content.Length} bytes) from peer {PeerId}";
}
