namespace DhtPs.Core.Ring;

/// <summary>
/// Where a lookup goes next. <see cref="ToOwner"/> tells the receiver it owns the key (the sender's successor list
/// says so), so it answers without checking its own predecessor.
/// </summary>
public readonly record struct LookupHop(PeerContact Peer, bool ToOwner);

public static class LookupRoute
{
    /// <summary>
    /// The peers to try, best first, for a lookup of <paramref name="key"/> that the owner of <paramref name="fingers"/> does not own.
    /// When the key falls at or before the first successor, that successor owns it (Chord's find_successor), and the
    /// later successors take over if it is gone. Otherwise the closest preceding fingers and successors come first,
    /// each one closer to the key than this peer, so a lookup can never go round in circles; the successors that
    /// would own the key if the ones before them were gone come last. Every entry after the first is a fallback
    /// for when the ones before it do not answer: correctness never depends on the fingers being fresh.
    /// </summary>
    public static IReadOnlyList<LookupHop> NextHops(IdSpace space, FingerTable fingers, IReadOnlyList<PeerContact> successors, ulong key)
    {
        var self = fingers.Owner;
        var owners = successors.Where(s => space.InHalfOpen(key, self, s.Id)).Select(s => new LookupHop(s, ToOwner: true));
        var preceding = fingers.ClosestPreceding(key, successors).Select(p => new LookupHop(p, ToOwner: false));
        var ownedByFirst = successors.Count > 0 && space.InHalfOpen(key, self, successors[0].Id);
        return (ownedByFirst ? owners.Concat(preceding) : preceding.Concat(owners)).ToArray();
    }
}
