using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>The answer to a lookup: the peer that owns <see cref="Key"/>, and how many forwards it took to reach it.</summary>
public sealed record DhtLookup(ulong Key, PeerContact Owner, int Hops);
