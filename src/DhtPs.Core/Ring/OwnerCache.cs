namespace DhtPs.Core.Ring;

/// <summary>
/// Owners this peer has recently heard from, each with the range it said it owned: (its first predecessor, itself].
/// A file request for a key in a cached range goes to that owner first, which checks the key against its own
/// predecessor and serves it, or routes it on as any hop would. So an entry made stale by a join or a death costs a
/// route, never a wrong answer; the owner that answers then replaces it. Bounded: the oldest entry goes first.
/// </summary>
public sealed class OwnerCache(IdSpace space, int capacity)
{
    private readonly List<Entry> _entries = new(capacity);

    private readonly record struct Entry(ulong From, PeerContact Owner);

    public int Count => _entries.Count;

    /// <summary>The owner a request for <paramref name="key"/> should try first, if one is cached.</summary>
    public PeerContact? OwnerOf(ulong key)
    {
        foreach (var entry in _entries)
        {
            if (space.InHalfOpen(key, entry.From, entry.Owner.Id))
                return entry.Owner;
        }
        return null;
    }

    /// <summary>
    /// <paramref name="owner"/> said it owns (<paramref name="from"/>, owner]. Entries that overlap that range are
    /// older news of the same stretch of ring, so they go.
    /// </summary>
    public void Learn(ulong from, PeerContact owner)
    {
        _entries.RemoveAll(e => e.Owner.Id == owner.Id || Overlaps(e.From, e.Owner.Id, from, owner.Id));
        if (_entries.Count == capacity)
            _entries.RemoveAt(0);
        _entries.Add(new Entry(from, owner));
    }

    /// <summary>Drops the entry naming <paramref name="id"/> (it failed to take a request, or was declared dead).</summary>
    public void Forget(ulong id) => _entries.RemoveAll(e => e.Owner.Id == id);

    /// <summary>Two ranges (a, b] and (c, d] share a key when either one's end lies in the other.</summary>
    private bool Overlaps(ulong a, ulong b, ulong c, ulong d) => space.InHalfOpen(b, c, d) || space.InHalfOpen(d, a, b);
}
