using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// Why a peer holds a key, from its predecessors by rank: it owns the keys in (first predecessor, self], and holds copies
/// of the keys its r - 1 nearest predecessors own, (r-th predecessor, first predecessor]. A peer that knows no predecessor
/// owns every key; one that knows fewer than r holds a copy of every key it does not own (the ring may be smaller than r).
/// </summary>
internal readonly struct FileRoles(IdSpace space, ulong self, IReadOnlyList<ulong> predecessors, int replicationFactor)
{
    public DhtStoredFileRole Of(ulong key)
    {
        if (predecessors.Count == 0 || key == self || space.InHalfOpen(key, predecessors[0], self))
            return DhtStoredFileRole.Owner;
        if (replicationFactor < 2)
            return DhtStoredFileRole.Stray;
        if (predecessors.Count < replicationFactor)
            return DhtStoredFileRole.Replica;
        return space.InHalfOpen(key, predecessors[replicationFactor - 1], predecessors[0]) ? DhtStoredFileRole.Replica : DhtStoredFileRole.Stray;
    }
}
