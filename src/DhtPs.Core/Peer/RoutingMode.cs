namespace DhtPs.Core.Peer;

/// <summary>How a peer routes lookups, stores, file requests and joins (<see cref="PeerOptions.Routing"/>).</summary>
public enum RoutingMode
{
    /// <summary>
    /// Through the finger table: each hop goes to the known peer closest before the key, O(log N) hops; successors are
    /// the fallback. A forwarding peer names its next hop in its event when that is not its first successor.
    /// </summary>
    Fingers,

    /// <summary>The original program's route: first successor after first successor, N/2 hops, with exactly its texts.</summary>
    Successor,
}
