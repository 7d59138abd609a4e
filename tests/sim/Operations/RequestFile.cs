using DhtPs.Core.Peer;

namespace DhtPs.Simulation.Operations;

/// <summary>
/// A live peer fetches a file the schedule stored, into its own disk, in the background like a user's Get-DhtFile.
/// Its outcome enters the trace when it completes; a fetched copy that differs from what was stored is a problem.
/// </summary>
public sealed record RequestFile(ulong PeerId, string Name) : ISimulationOperation
{
    /// <summary>How long the owner may take to answer or start sending.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A random live peer asks for a random stored file (lost ones too); null when no peer is up or nothing was stored.</summary>
    public static RequestFile? Random(SimulatedRing ring)
    {
        var live = ring.Peers.Where(p => p.IsUp).ToArray();
        var stored = ring.Files.Stored;
        if (live.Length == 0 || stored.Count == 0)
            return null;
        var peer = live[ring.Random.Next(live.Length)];
        return new RequestFile(peer.Id, stored[ring.Random.Next(stored.Count)].Name);
    }

    public void Apply(SimulatedRing ring)
    {
        var peer = ring[PeerId];
        var file = ring.Files.Stored.Single(f => f.Name == Name);
        var destination = SimulatedPeer.DestinationPath(ring.Files.BeginFetch(), Name);
        // Availability counts only files that were acknowledged and not lost when the fetch began.
        var counted = file.IsLost ? null : (bool?)ring.Settled;
        var disturbances = ring.Disturbances;
        _ = FetchAsync(ring, peer.Node!, peer.Disk, destination, file.Content, counted, disturbances);
    }

    /// <param name="calm">Null when the file was lost before the fetch; else whether the ring was settled when it began.</param>
    /// <param name="disturbances">The ring's disturbances when it began: one more by its end makes it a fetch during churn.</param>
    private async Task FetchAsync(SimulatedRing ring, PeerNode node, InMemoryFileSystem disk, string destination, byte[] expected, bool? calm, int disturbances)
    {
        var succeeded = false;
        try
        {
            succeeded = await FetchCopyAsync(ring, node, disk, destination, expected).ConfigureAwait(false);
        }
        finally
        {
            if (calm is { } wasCalm)
                ring.Files.FetchOfKeptFileEnded(wasCalm && ring.Disturbances == disturbances, succeeded);
        }
    }

    private async Task<bool> FetchCopyAsync(SimulatedRing ring, PeerNode node, InMemoryFileSystem disk, string destination, byte[] expected)
    {
        try
        {
            disk.CreateDirectory(Path.GetDirectoryName(destination)!);
            var fetched = await node.FetchAsync(Name, destination, progress: null, Timeout, CancellationToken.None).ConfigureAwait(false);
            ring.Record($"fetched File {Name} at peer {PeerId} from peer {fetched.StoredAt} after {fetched.Hops} hops");
            ring.Files.FetchSucceeded();
            if (disk.ReadAllBytes(destination) is not { } content || !content.AsSpan().SequenceEqual(expected))
            {
                ring.ReportProblem($"FetchedFileIsIdentical: peer {PeerId} fetched File {Name}, but {destination} does not hold the {expected.Length} bytes stored");
                return false;
            }
            return true;
        }
        catch (DhtFileException e)
        {
            ring.Record($"fetch of File {Name} at peer {PeerId} failed ({e.Failure}): {e.Message}");
            return false;
        }
        catch (Exception e)
        {
            ring.ReportProblem($"fetch of File {Name} at peer {PeerId} threw {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    public override string ToString() => $"request File {Name} at peer {PeerId}";
}
