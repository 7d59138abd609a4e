using System.Net;

namespace DhtPs.Core.Transport;

/// <summary>
/// Where peers get their sockets. <see cref="SocketNetwork"/> is real UDP and TCP; a
/// simulated network implements the same seam so the peer code is identical in both.
/// </summary>
public interface INetwork
{
    /// <summary>Binds a datagram socket and a stream listener on one endpoint (port 0 picks a free port for both).</summary>
    Task<IPeerTransport> BindAsync(IPEndPoint localEndPoint, ITransportHandler handler, CancellationToken cancellationToken);
}
