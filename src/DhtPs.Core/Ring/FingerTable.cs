namespace DhtPs.Core.Ring;

/// <summary>
/// Chord's finger table: finger i is the successor of owner + 2^i, for i below the id width. Entries may be
/// unknown (null) or stale; routing only ever uses them as shortcuts, never as the last word on ownership.
/// Written copy-on-write, so <see cref="Entries"/> can be handed to readers as an immutable snapshot.
/// </summary>
public sealed class FingerTable(IdSpace space, ulong owner)
{
    private PeerContact?[] _entries = new PeerContact?[space.Bits];

    public ulong Owner { get; } = owner;

    /// <summary>Finger i at index i; null where it is not known. Never changes once handed out.</summary>
    public IReadOnlyList<PeerContact?> Entries => _entries;

    /// <summary>The key finger <paramref name="index"/> is the successor of: owner + 2^index.</summary>
    public ulong StartOf(int index) => space.Reduce(Owner + (1UL << index));

    /// <summary>
    /// Fills the fingers whose start the successor list covers, from the list (it is kept right by stabilization).
    /// Starts grow with the index, so the covered ones are a prefix: returns how many there are.
    /// </summary>
    public int Seed(IReadOnlyList<PeerContact> successors)
    {
        var next = _entries;
        var index = 0;
        for (; index < _entries.Length; index++)
        {
            var start = StartOf(index);
            if (successors.FirstOrDefault(s => space.InHalfOpen(start, Owner, s.Id)) is not { } successor)
                break;
            Write(ref next, index, successor);
        }
        _entries = next;
        return index;
    }

    /// <summary>
    /// Records that <paramref name="successor"/> is the successor of finger <paramref name="index"/>'s start; the following
    /// fingers whose starts also fall at or before it share it. Returns the index after the last finger set.
    /// </summary>
    public int Learn(int index, PeerContact successor)
    {
        var next = _entries;
        Write(ref next, index, successor);
        var reach = space.Distance(Owner, successor.Id);
        var following = index + 1;
        // A successor at the owner itself (a ring of one) reaches all the way round.
        for (; following < _entries.Length && (reach == 0 || space.Distance(Owner, StartOf(following)) <= reach); following++)
            Write(ref next, following, successor);
        _entries = next;
        return following;
    }

    /// <summary>Drops every finger naming <paramref name="id"/> (it failed to answer, or was declared dead).</summary>
    public void Forget(ulong id)
    {
        var next = _entries;
        for (var i = 0; i < _entries.Length; i++)
        {
            if (_entries[i]?.Id == id)
                Write(ref next, i, null);
        }
        _entries = next;
    }

    /// <summary>
    /// Chord's closest preceding node, with its fallbacks: the distinct known peers (fingers and <paramref name="alsoKnown"/>)
    /// strictly between the owner and <paramref name="key"/>, nearest to the key first.
    /// </summary>
    public IReadOnlyList<PeerContact> ClosestPreceding(ulong key, IEnumerable<PeerContact> alsoKnown) =>
        _entries.OfType<PeerContact>()
            .Concat(alsoKnown)
            .Where(p => space.InOpen(p.Id, Owner, key))
            .DistinctBy(p => p.Id)
            .OrderBy(p => space.Distance(p.Id, key))
            .ToArray();

    /// <summary>Copies the entries on the first change, so a snapshot already handed out never changes.</summary>
    private void Write(ref PeerContact?[] next, int index, PeerContact? value)
    {
        if (next[index] == value)
            return;
        if (ReferenceEquals(next, _entries))
            next = (PeerContact?[])_entries.Clone();
        next[index] = value;
    }
}
