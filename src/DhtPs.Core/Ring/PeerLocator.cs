using System.Net;

namespace DhtPs.Core.Ring;

/// <summary>
/// A peer's endpoint, resolved, and its id when known (learned on contact otherwise).
/// Users name peers as a <see cref="PeerAddress"/>, which resolves to this.
/// </summary>
public sealed record PeerLocator(ulong? Id, IPEndPoint EndPoint)
{
    public override string ToString() => Id is { } id ? $"{id}@{EndPoint}" : EndPoint.ToString();
}
