using DhtPs.Core.Peer;
using DhtPs.Simulation.Files;

namespace DhtPs.Simulation.Invariants;

/// <summary>
/// Once the ring has been calm long enough, every stored file that was not lost with a crashed host is held,
/// byte-identical, by the live peer the ring says owns its key: the first ring member at or after the key, where the
/// ring is the cycle of best successors (Zave). A newcomer that joined after the store owns its files too: the join
/// takes them over from its successor. Two kinds of file may be where the ring sent them, at a later peer, and are
/// counted, not checked: those whose owner came back onto the ring without joining (it restarted from its command line,
/// which takes nothing over; an owner relinked by repair or stabilization asks its successor for them, and only a failed
/// take-over leaves them behind), and those stored from a peer off the ring (an appendage, whose first successors may pass the owner by).
/// </summary>
public static class FileInvariant
{
    public const string Name = "StoredFilesAtOwner";

    /// <summary>
    /// The ring members, in id order: the live peers on a cycle of best successors (each peer's first live successor),
    /// which is where requests travel. An appendage that points into the ring but that no ring member points to is not one.
    /// </summary>
    public static IReadOnlyList<ulong> Members(IReadOnlyList<DhtPeer> live)
    {
        var alive = live.Select(p => p.Id).ToHashSet();
        var best = new Dictionary<ulong, ulong>();
        foreach (var peer in live)
        {
            if (peer.Successors.Where(alive.Contains).Take(1).ToArray() is [var first])
                best[peer.Id] = first;
        }
        var members = new SortedSet<ulong>();
        foreach (var start in best.Keys)
        {
            // After as many steps as there are peers, a walk that has not ended is on a cycle: collect it.
            var at = start;
            for (var step = 0; step < best.Count && best.TryGetValue(at, out var next); step++)
                at = next;
            for (var on = at; best.TryGetValue(on, out var next) && members.Add(on); on = next)
            {
            }
        }
        return members.ToArray();
    }

    public const string ReplicaName = "StoredFilesOnTheirHolders";

    /// <summary>The members that should hold <paramref name="key"/>: its owner and the next r - 1 members (all of a smaller ring).</summary>
    public static IReadOnlyList<ulong> HoldersOf(ulong key, IReadOnlyList<ulong> members, int replicationFactor)
    {
        var owner = OwnerOf(key, members);
        var start = members.ToList().IndexOf(owner);
        return [.. Enumerable.Range(0, Math.Min(replicationFactor, members.Count)).Select(i => members[(start + i) % members.Count])];
    }

    /// <summary>
    /// With copies (r &gt; 1): once the ring has been calm long enough, every acknowledged file not lost, at its latest
    /// version, has r byte-identical copies on exactly the members that should hold it (<see cref="HoldersOf"/>), and no
    /// other live peer holds one; a removed file is held by none. The holders may instead agree on a write that was
    /// attempted after it and not acknowledged (a store short of its quorum stays where it reached, and wins by its
    /// version); never on one acknowledged before it (a stale version).
    /// </summary>
    /// <param name="live">Every peer that is up, members or not (a copy left on any of them is one too many).</param>
    public static IReadOnlyList<InvariantViolation> CheckReplicas(IReadOnlyList<ulong> members, IReadOnlyList<ulong> live, FileLedger ledger,
        Func<ulong, string, byte[]?> held, int replicationFactor)
    {
        var violations = new List<InvariantViolation>();
        foreach (var file in ledger.Stored.Where(f => !f.IsLost))
        {
            var holders = HoldersOf(file.Key, members, replicationFactor);
            var agreed = held(holders[0], file.Name);
            var what = file.Removed ? "removed" : $"{file.Content.Length} bytes";
            if (!ledger.MayHold(file.Name, agreed, out var stale))
                violations.Add(new(ReplicaName, $"peer {holders[0]} holds File {file.Name} (key {file.Key}) " +
                    $"{(agreed is null ? "not at all" : $"with {agreed.Length} bytes")}, {(stale ? "a stale version" : "no write of it")}; version {file.Version} is {what}"));
            foreach (var peer in live)
            {
                var content = held(peer, file.Name);
                var should = holders.Contains(peer) && agreed is not null;
                if (should && content is null)
                    violations.Add(new(ReplicaName, $"File {file.Name} (key {file.Key}) is not at peer {peer}, one of its holders {string.Join(", ", holders)}"));
                else if (should && !content!.AsSpan().SequenceEqual(agreed))
                    violations.Add(new(ReplicaName, $"peer {peer} holds File {file.Name} (key {file.Key}) with {content!.Length} bytes that differ from the {agreed!.Length} its owner {holders[0]} holds"));
                else if (!should && content is not null)
                    violations.Add(new(ReplicaName, $"peer {peer} still holds a copy of File {file.Name} (key {file.Key}); its holders are {string.Join(", ", holders)}{(agreed is null ? ", which hold none" : "")}"));
            }
        }
        return violations;
    }

    /// <summary>The member whose range (predecessor, member] holds <paramref name="key"/>.</summary>
    public static ulong OwnerOf(ulong key, IReadOnlyList<ulong> members)
    {
        foreach (var member in members)
        {
            if (member >= key)
                return member;
        }
        return members[0];
    }

    /// <param name="members">The ring members now, in id order (see <see cref="Members"/>).</param>
    /// <param name="held">The content a peer holds under a name in its store; null when it holds none.</param>
    /// <param name="joined">True for a peer that came onto the ring with the join protocol, which takes over the files of its keys.</param>
    public static FileCheck Check(IReadOnlyList<ulong> members, IEnumerable<TrackedFile> stored, Func<ulong, string, byte[]?> held,
        Func<ulong, bool>? joined = null)
    {
        var violations = new List<InvariantViolation>();
        var awaitingTakeOver = 0;
        foreach (var file in stored.Where(f => !f.IsLost))
        {
            var owner = OwnerOf(file.Key, members);
            var content = held(owner, file.Name);
            if (content is not null && content.AsSpan().SequenceEqual(file.Content))
                continue;
            var ownerTookOver = joined?.Invoke(owner) == true;
            if (!file.MembersWhenStored.Contains(file.Origin) || !file.MembersWhenStored.Contains(owner) && !ownerTookOver)
                awaitingTakeOver++;
            else if (content is null)
                violations.Add(new(Name, $"File {file.Name} (key {file.Key}) is not at peer {owner}, which owns its key and " +
                    (file.MembersWhenStored.Contains(owner) ? "did so when it was stored" : "should have taken it over when it joined")));
            else
                violations.Add(new(Name, $"peer {owner} holds File {file.Name} (key {file.Key}) with {content.Length} bytes that differ from the {file.Content.Length} stored"));
        }
        return new FileCheck(violations, awaitingTakeOver);
    }
}
