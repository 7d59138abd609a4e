using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>What a transport delivers to its owner. Called on transport threads: implementations hand work to their own loop.</summary>
public interface ITransportHandler
{
    void OnDatagram(IPEndPoint from, uint sequence, Message message);

    /// <summary>Answers a request that arrived over a reliable stream.</summary>
    Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over a stream another peer opened with <paramref name="opening"/> (see <see cref="IPeerTransport.OpenStreamAsync"/>).
    /// The transport closes the stream when the returned task completes.
    /// </summary>
    Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken);

    /// <summary>Input that could not be decoded; it has been dropped.</summary>
    void OnMalformed(IPEndPoint from, ProtocolException error);
}
