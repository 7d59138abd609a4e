using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>One peer's sockets: unreliable datagrams and reliable request/response exchanges.</summary>
public interface IPeerTransport : IAsyncDisposable
{
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Fire and forget; loss is normal.</summary>
    void SendDatagram(IPEndPoint to, uint sequence, Message message);

    /// <summary>
    /// Sends <paramref name="request"/> over a reliable stream and waits for the reply.
    /// Throws <see cref="TransportException"/> when the peer cannot be reached or does not answer in time.
    /// </summary>
    Task<Message> RequestAsync(IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken);
}
