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

    /// <summary>
    /// Connects to <paramref name="to"/>, sends <paramref name="opening"/> as a stream-opening frame, and returns the
    /// connection as a duplex stream for whatever the opening announces (a file's frames). The caller disposes it.
    /// Throws <see cref="TransportException"/> when the peer cannot be reached within <paramref name="connectTimeout"/>.
    /// </summary>
    Task<Stream> OpenStreamAsync(IPEndPoint to, Message opening, TimeSpan connectTimeout, CancellationToken cancellationToken);
}
