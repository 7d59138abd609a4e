using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>Asks a peer for its successors and predecessors (failure repair, ring walks).</summary>
public sealed record NeighborsRequest : Message;

/// <summary>The sender's successors and predecessors, nearest first.</summary>
public sealed record NeighborsResponse : Message
{
    public required IReadOnlyList<PeerContact> Successors { get; init; }
    public required IReadOnlyList<PeerContact> Predecessors { get; init; }
}
