using DhtPs.Core.Protocol;

namespace DhtPs.Core.Peer;

/// <summary>
/// The deaths a peer holds (issue 13, docs/protocol.md 5.8), each at the incarnation that died: those it declared and
/// those it heard of in others' messages; and what it knows of other peers' incarnations. A peer held dead at an
/// incarnation is not taken back from anyone's list until it is seen at a higher one (it restarted, or it refuted the
/// death) or answers for itself: a neighbour that has not noticed the death yet cannot bring it back, however long it
/// takes to notice. Part of the <see cref="Neighborhood"/>, which owns it; runs only on the logical thread.
/// </summary>
internal sealed class DeathMemory(TimeSpan gossipWindow, TimeSpan unnumberedMemory)
{
    /// <summary>
    /// How long a death at a known incarnation is kept at most: only a bound on memory, since a peer that comes back
    /// comes back at a higher incarnation and ends the record then.
    /// </summary>
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    /// <summary>At most this many deaths and incarnations are kept; the oldest go first.</summary>
    public const int Capacity = 1024;

    private readonly Dictionary<ulong, Death> _deaths = [];
    private readonly Dictionary<ulong, ulong> _incarnations = [];

    private sealed record Death(ulong Incarnation, DateTimeOffset Learned);

    /// <summary>The highest incarnation of <paramref name="id"/> seen, 0 when none.</summary>
    public ulong IncarnationOf(ulong id) => _incarnations.GetValueOrDefault(id);

    /// <summary>The incarnation <paramref name="id"/> was held dead at, if it is.</summary>
    public ulong? DeadAt(ulong id) => _deaths.TryGetValue(id, out var death) ? death.Incarnation : null;

    /// <summary>
    /// <paramref name="id"/> was seen at <paramref name="incarnation"/> (its own message, or a list that names it):
    /// a death at a lower incarnation is over.
    /// </summary>
    public void Heard(ulong id, ulong incarnation)
    {
        if (incarnation == 0)
            return;
        if (incarnation > IncarnationOf(id))
        {
            if (_incarnations.Count >= Capacity && !_incarnations.ContainsKey(id))
                _incarnations.Remove(_incarnations.Keys.First(k => !_deaths.ContainsKey(k)));
            _incarnations[id] = incarnation;
        }
        if (_deaths.TryGetValue(id, out var death) && death.Incarnation < incarnation)
            _deaths.Remove(id);
    }

    /// <summary>This peer declared <paramref name="id"/> dead, at the incarnation it last saw.</summary>
    public void Declared(ulong id, DateTimeOffset now) => Remember(id, IncarnationOf(id), now);

    /// <summary>
    /// Another peer says <paramref name="id"/> died at <paramref name="incarnation"/>. Returns false when that is no
    /// news: held already, or stale (it has been seen at a higher incarnation since), or unnumbered.
    /// </summary>
    public bool HeardDeath(ulong id, ulong incarnation, DateTimeOffset now)
    {
        if (incarnation == 0 || IncarnationOf(id) > incarnation || DeadAt(id) >= incarnation)
            return false;
        Remember(id, incarnation, now);
        return true;
    }

    /// <summary>It answered for itself: whatever was declared or heard, it is alive.</summary>
    public void Vouch(ulong id) => _deaths.Remove(id);

    /// <summary>
    /// The peers held dead now. A death at an incarnation never seen (a peer that does not number them) is held only
    /// for the old while, <c>unnumberedMemory</c>: nothing else could ever end it.
    /// </summary>
    public HashSet<ulong> Held(DateTimeOffset now)
    {
        foreach (var (id, _) in _deaths.Where(d => now - d.Value.Learned > (d.Value.Incarnation == 0 ? unnumberedMemory : Memory)).ToArray())
            _deaths.Remove(id);
        return [.. _deaths.Keys];
    }

    /// <summary>The peers held dead that were learned within the gossip window (the old, short memory).</summary>
    public HashSet<ulong> LearnedRecently(DateTimeOffset now) =>
        [.. Held(now).Where(id => now - _deaths[id].Learned <= gossipWindow)];

    /// <summary>The deaths to piggyback on the next message: those learned within the gossip window, newest first, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<PeerIncarnation>? ToGossip(DateTimeOffset now, int max)
    {
        var fresh = _deaths.Where(d => d.Value.Incarnation != 0 && now - d.Value.Learned <= gossipWindow)
            .OrderByDescending(d => d.Value.Learned).Take(max)
            .Select(d => new PeerIncarnation(d.Key, d.Value.Incarnation)).ToArray();
        return fresh.Length == 0 ? null : fresh;
    }

    private void Remember(ulong id, ulong incarnation, DateTimeOffset now)
    {
        if (_deaths.Count >= Capacity && !_deaths.ContainsKey(id))
            _deaths.Remove(_deaths.MinBy(d => d.Value.Learned).Key);
        _deaths[id] = new Death(incarnation, now);
    }
}
