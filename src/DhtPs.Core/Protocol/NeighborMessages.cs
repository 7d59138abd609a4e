using System.Text.Json.Serialization;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>Asks a peer for its successors and predecessors (failure repair, ring walks).</summary>
public sealed record NeighborsRequest : Message;

/// <summary>The sender's successors and predecessors, nearest first.</summary>
public sealed record NeighborsResponse : Message, ILivenessGossip
{
    public required IReadOnlyList<PeerContact> Successors { get; init; }
    public required IReadOnlyList<PeerContact> Predecessors { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Incarnation { get; init; }

    public IReadOnlyList<PeerIncarnation>? Deaths { get; init; }

    /// <summary>
    /// The incarnations the sender knows of the peers it lists (each listed at most once, the sender's own is
    /// <see cref="Incarnation"/>): a receiver does not take back a listed peer at an incarnation it holds dead.
    /// Null (left out) when it knows none.
    /// </summary>
    public IReadOnlyList<PeerIncarnation>? Incarnations { get; init; }
}
