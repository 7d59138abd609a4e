using DhtPs.Core.Peer;
using DhtPs.Simulation.Files;

namespace DhtPs.Simulation.Operations;

/// <summary>
/// A live peer removes a file the schedule stored (Remove-DhtFile), in the background: an acknowledged removal becomes
/// the name's latest write, so that once calm no live peer may hold its bytes and no fetch may return an older version.
/// </summary>
public sealed record RemoveFile(ulong PeerId, string Name) : ISimulationOperation
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>With copies (r &gt; 1): a random live peer removes a random stored name; null otherwise, or when no peer is up or nothing was stored.</summary>
    public static RemoveFile? Random(SimulatedRing ring)
    {
        var live = ring.Peers.Where(p => p.IsUp).ToArray();
        var stored = ring.Files.Stored;
        if (ring.Settings.ReplicationFactor < 2 || live.Length == 0 || stored.Count == 0)
            return null;
        return new RemoveFile(live[ring.Random.Next(live.Length)].Id, stored[ring.Random.Next(stored.Count)].Name);
    }

    public void Apply(SimulatedRing ring)
    {
        ring.Files.BeginRemove(Name);
        _ = RemoveAsync(ring, ring[PeerId].Node!, ring.Members());
    }

    private async Task RemoveAsync(SimulatedRing ring, PeerNode node, IReadOnlyList<ulong> membersAtStart)
    {
        try
        {
            var removed = await node.RemoveAsync(Name, Timeout, CancellationToken.None).ConfigureAwait(false);
            var members = membersAtStart.Intersect(ring.Members()).ToHashSet();
            ring.Files.RemoveSucceeded(new TrackedFile(Name, removed.Key, [], PeerId, members) { Version = removed.Version, Removed = true });
            ring.Record($"removed File {Name} (version {removed.Version}) at peer {removed.StoredAt}, {removed.Replicas} copies");
        }
        catch (DhtFileException e)
        {
            ring.Record($"removal of File {Name} from peer {PeerId} failed ({e.Failure}): {e.Message}");
        }
        catch (Exception e)
        {
            ring.ReportProblem($"removal of File {Name} from peer {PeerId} threw {e.GetType().Name}: {e.Message}");
        }
    }

    public override string ToString() => $"remove File {Name} at peer {PeerId}";
}
