using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Diagnostics;

/// <summary>Which members of a ring should hold a file (its owner, and once files are replicated the next ones) and which do.</summary>
public sealed record FileHolding(string Name, ulong Key, IReadOnlyList<ulong> Expected, IReadOnlyList<ulong> Holders)
{
    public IReadOnlyList<ulong> Missing => [.. Expected.Except(Holders)];

    public bool Matches => Missing.Count == 0;

    /// <summary>
    /// The holders expected among <paramref name="members"/>: the successor of the file's key and the <paramref name="copies"/> - 1
    /// members after it; <paramref name="holds"/> says which members hold the file now.
    /// </summary>
    public static FileHolding Check(string name, IdSpace space, IReadOnlyCollection<ulong> members, Func<ulong, bool> holds, int copies = 1)
    {
        var key = FileKey.Of(name, space);
        var ring = members.Distinct().OrderBy(id => space.Distance(key, id)).ToArray();
        return new FileHolding(name, key, [.. ring.Take(Math.Min(copies, ring.Length))], [.. members.Distinct().Order().Where(holds)]);
    }

    /// <summary>Peer by peer: each expected holder and whether it holds the file, then the others that hold it.</summary>
    public string Describe()
    {
        var lines = Expected.Select((id, i) => $"  peer {id} ({(i == 0 ? "owner" : "replica")}): {(Holders.Contains(id) ? "holds it" : "does not hold it")}")
            .Concat(Holders.Except(Expected).Select(id => $"  peer {id} (neither owner nor replica): holds it"));
        if (Expected.Count == 0)
            lines = ["  (the ring has no running member)"];
        return $"File {Name} has key {Key}:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }
}
