using DhtPs.Core.Peer;

namespace DhtPs.Simulation.Operations;

/// <summary>
/// A live peer fetches a file the schedule stored, into its own disk, in the background like a user's Get-DhtFile.
/// Its outcome enters the trace when it completes; a fetched copy that differs from what was stored at its version is a
/// problem, and so is one older than the latest acknowledged write when the fetch began (a stale version) if the ring
/// stayed calm meanwhile; during churn a stale version is counted (<see cref="Files.FileLedger.StaleServed"/>).
/// </summary>
public sealed record RequestFile(ulong PeerId, string Name) : ISimulationOperation
{
    /// <summary>How long the owner may take to answer or start sending.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A random live peer asks for a random stored file (lost and removed ones too); null when no peer is up or nothing was stored.</summary>
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
        var file = ring.Files.Latest(Name)!;
        var destination = SimulatedPeer.DestinationPath(ring.Files.BeginFetch(), Name);
        // Availability counts only files that were acknowledged, not removed and not lost when the fetch began.
        var counted = file.IsLost || file.Removed ? null : (bool?)ring.Settled;
        var disturbances = ring.Disturbances;
        _ = FetchAsync(ring, peer.Node!, peer.Disk, destination, file, counted, disturbances);
    }

    /// <param name="calm">Null when the file was lost before the fetch; else whether the ring was settled when it began.</param>
    /// <param name="disturbances">The ring's disturbances when it began: one more by its end makes it a fetch during churn.</param>
    private async Task FetchAsync(SimulatedRing ring, PeerNode node, InMemoryFileSystem disk, string destination, Files.TrackedFile expected, bool? calm, int disturbances)
    {
        var succeeded = false;
        var settled = ring.Settled;
        try
        {
            succeeded = await FetchCopyAsync(ring, node, disk, destination, expected, () => settled && ring.Disturbances == disturbances).ConfigureAwait(false);
        }
        finally
        {
            if (calm is { } wasCalm)
                ring.Files.FetchOfKeptFileEnded(wasCalm && ring.Disturbances == disturbances, succeeded);
        }
    }

    /// <param name="calm">Whether the ring was settled when the fetch began and is undisturbed since.</param>
    private async Task<bool> FetchCopyAsync(SimulatedRing ring, PeerNode node, InMemoryFileSystem disk, string destination, Files.TrackedFile expected, Func<bool> calm)
    {
        try
        {
            disk.CreateDirectory(Path.GetDirectoryName(destination)!);
            var fetched = await node.FetchAsync(Name, destination, progress: null, Timeout, CancellationToken.None).ConfigureAwait(false);
            ring.Record($"fetched File {Name} at peer {PeerId} from peer {fetched.StoredAt} after {fetched.Hops} hops, version {fetched.Version}");
            ring.Files.FetchSucceeded();
            if (ring.Files.ServedStale(expected, fetched.Version))
            {
                var stale = $"StaleVersionServed: peer {PeerId} fetched File {Name} at version {fetched.Version} from peer {fetched.StoredAt}, " +
                    $"after version {expected.Version}{(expected.Removed ? " (its removal)" : "")} was acknowledged";
                if (calm())
                    ring.ReportProblem(stale);
                else
                    ring.Record(stale);
                return false;
            }
            var content = disk.ReadAllBytes(destination);
            var identical = fetched.Version == expected.Version ? content is not null && content.AsSpan().SequenceEqual(expected.Content) : ring.Files.MayHold(Name, content, out _);
            if (!identical)
            {
                ring.ReportProblem($"FetchedFileIsIdentical: peer {PeerId} fetched File {Name} at version {fetched.Version}, but {destination} does not hold the bytes stored at that version");
                return false;
            }
            return true;
        }
        catch (DhtFileException e) when (e.Failure == DhtFileFailure.NotFound && ring.Files.MayHold(Name, null, out _))
        {
            // A removal was attempted and took effect though its origin never heard (it timed out): the right answer.
            ring.Record($"fetch of File {Name} at peer {PeerId} found it removed: {e.Message}");
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
