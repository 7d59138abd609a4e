using System.Net;

namespace DhtPs.Core.Peer;

/// <summary>One member of a ring as it describes itself over the network (Get-DhtRing), in ring order.</summary>
public sealed record DhtRingMember(
    ulong Id,
    IPEndPoint EndPoint,
    IReadOnlyList<ulong> Successors,
    IReadOnlyList<ulong> Predecessors);
