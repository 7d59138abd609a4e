using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// Where peers get their sockets. <see cref="SocketNetwork"/> is real UDP and TCP; a
/// simulated network implements the same seam so the peer code is identical in both.
/// </summary>
public interface INetwork
{
    /// <summary>
    /// Binds a datagram socket and a stream listener on one endpoint (port 0 picks a free port for both). Everything
    /// received passes <paramref name="ingest"/>; everything sent is encoded with its codec.
    /// </summary>
    Task<IPeerTransport> BindAsync(IPEndPoint localEndPoint, Ingest ingest, CancellationToken cancellationToken);
}

public static class NetworkExtensions
{
    /// <summary>Binds for <paramref name="handler"/> on the open ring's wire.</summary>
    public static Task<IPeerTransport> BindAsync(this INetwork network, IPEndPoint localEndPoint, ITransportHandler handler, CancellationToken cancellationToken) =>
        network.BindAsync(localEndPoint, new Ingest(WireCodec.Open, handler), cancellationToken);
}
