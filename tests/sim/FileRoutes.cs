using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Simulation;

/// <summary>
/// Stores of small files from random live members, then fetches of them from other random members, all at once,
/// checked against the true owners: how many hops the file cmdlets' requests take on a large ring.
/// </summary>
public static class FileRoutes
{
    /// <summary>Stores, then fetches: each <see cref="Lookups.Sample"/> counts the hops to the owner and names what went wrong.</summary>
    public sealed record Outcome(Lookups.Sample Stores, Lookups.Sample Fetches);

    private static readonly TimeSpan SettleCheckPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>1 KiB, like the cmdlet benchmark (bench/Measure-DhtRouting.ps1).</summary>
    private const int FileLength = 1024;

    public static Outcome Run(SimulatedRing ring, Random random, int count, TimeSpan timeout)
    {
        var ids = Lookups.LiveIds(ring);
        var members = ring.Peers.Where(p => p.IsUp).ToArray();
        var names = Enumerable.Range(0, count).Select(i => $"route-{i}.bin").ToArray();

        var started = ring.Clock.Elapsed;
        var stores = names.Select(name =>
        {
            var peer = members[random.Next(members.Length)];
            var content = new byte[FileLength];
            random.NextBytes(content);
            peer.Disk.WriteAllBytes(SimulatedPeer.SourcePath(name), content);
            return (name, task: peer.Node!.StoreAsync(SimulatedPeer.SourcePath(name), name, progress: null, timeout, CancellationToken.None));
        }).ToArray();
        RunUntilDone(ring, stores.Select(s => (Task)s.task));
        var storeSample = Check(ring.Space, ids, stores.Select(s => (s.name, s.task)), started, ring) with { Noun = "stores" };

        started = ring.Clock.Elapsed;
        var fetches = stores.Where(s => s.task.IsCompletedSuccessfully).Select((s, i) =>
        {
            var peer = members[random.Next(members.Length)];
            var destination = SimulatedPeer.DestinationPath(i, s.name);
            peer.Disk.CreateDirectory(Path.GetDirectoryName(destination)!);
            return (s.name, task: peer.Node!.FetchAsync(s.name, destination, progress: null, timeout, CancellationToken.None));
        }).ToArray();
        RunUntilDone(ring, fetches.Select(f => (Task)f.task));
        var fetchSample = Check(ring.Space, ids, fetches, started, ring) with { Noun = "fetches" };
        return new Outcome(storeSample, fetchSample);
    }

    private static void RunUntilDone(SimulatedRing ring, IEnumerable<Task> tasks)
    {
        var all = tasks.ToArray();
        while (!all.All(t => t.IsCompleted))
            ring.Clock.RunFor(SettleCheckPeriod);
    }

    private static Lookups.Sample Check(IdSpace space, ulong[] ids, IEnumerable<(string Name, Task<DhtPs.Core.Peer.DhtFileInfo> Task)> operations,
        TimeSpan started, SimulatedRing ring)
    {
        var wrong = new List<string>();
        var hops = new List<int>();
        var count = 0;
        foreach (var (name, task) in operations)
        {
            count++;
            var owner = Lookups.OwnerOf(ids, FileKey.Of(name, space));
            if (!task.IsCompletedSuccessfully)
                wrong.Add($"{name}: {task.Exception!.GetBaseException().Message}");
            else if (task.Result.StoredAt != owner)
                wrong.Add($"{name}: at peer {task.Result.StoredAt}, owned by {owner}");
            else
                hops.Add(task.Result.Hops);
        }
        return new Lookups.Sample(count, hops, wrong, ring.Clock.Elapsed - started);
    }
}
