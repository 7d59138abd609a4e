using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>A predecessor learned from its pings, and when it last pinged.</summary>
internal sealed record PredecessorSlot(PeerContact Contact, DateTimeOffset LastHeard);
