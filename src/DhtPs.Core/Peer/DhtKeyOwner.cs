using System.Net;

namespace DhtPs.Core.Peer;

/// <summary>
/// The peer that owns a key (Resolve-DhtKey): the file name the key came from (null for a bare key), the key,
/// the owner's id and endpoint, and how many forwards the lookup took to reach it.
/// </summary>
public sealed record DhtKeyOwner(string? Name, ulong Key, ulong Owner, IPEndPoint OwnerEndPoint, int Hops)
{
    public static DhtKeyOwner Of(DhtLookup lookup, string? name) =>
        new(name, lookup.Key, lookup.Owner.Id, lookup.Owner.ToEndPoint(), lookup.Hops);
}
