using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>SPEC §5: the sender leaves the ring; its predecessors take over its <see cref="Successors"/>.</summary>
public sealed record DepartureNotice : Message
{
    public required IReadOnlyList<PeerContact> Successors { get; init; }
}
