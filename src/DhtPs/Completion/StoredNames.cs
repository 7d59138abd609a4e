using System.Collections.Concurrent;
using DhtPs.Hosting;

namespace DhtPs.Completion;

/// <summary>
/// The file names this session knows to be in the ring, for completion: what its peers hold on disk, and the names it
/// stored or fetched through any peer (those may live in other processes). The session's list is bounded.
/// </summary>
internal static class StoredNames
{
    private const int SessionLimit = 1_000;
    private static readonly ConcurrentDictionary<string, string> Session = new(StringComparer.Ordinal);

    public sealed record KnownName(string Name, string Where);

    /// <summary>Remembers a name this session stored or fetched.</summary>
    public static void Remember(string name, string where)
    {
        if (Session.Count < SessionLimit || Session.ContainsKey(name))
            Session[name] = where;
    }

    public static void Forget() => Session.Clear();

    public static IEnumerable<KnownName> Known()
    {
        var held = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var job in PeerRegistry.All)
        {
            var peer = job.Peer;
            // A peer's store creates its directory on first use: look only where one exists.
            if (!Directory.Exists(peer.DataPath))
                continue;
            foreach (var name in peer.Files.Names())
                held.TryAdd(name, $"Held by Peer {peer.Id}");
        }
        foreach (var (name, where) in Session.OrderBy(n => n.Key, StringComparer.Ordinal))
            held.TryAdd(name, where);
        return held.Select(pair => new KnownName(pair.Key, pair.Value));
    }
}
