using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// A predecessor learned from its pings, when it last pinged, and how often it pings (its advertised interval; null when
/// it did not say, or it was learned without a ping: this peer's own interval stands in).
/// </summary>
internal sealed record PredecessorSlot(PeerContact Contact, DateTimeOffset LastHeard, TimeSpan? Interval = null);
