using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Transport;

/// <summary>
/// What a transport delivers to its owner, through the one <see cref="Ingest"/> point: only messages that decoded,
/// authenticated and validated for <see cref="Space"/> arrive here; everything else arrives as <see cref="OnRefused"/>.
/// Called on transport threads: implementations hand work to their own loop.
/// </summary>
public interface ITransportHandler
{
    /// <summary>The id space every message is validated against.</summary>
    IdSpace Space { get; }

    void OnDatagram(IPEndPoint from, uint sequence, Message message);

    /// <summary>Answers a request that arrived over a reliable stream.</summary>
    Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over a stream another peer opened with <paramref name="opening"/> (see <see cref="IPeerTransport.OpenStreamAsync"/>).
    /// The transport closes the stream when the returned task completes.
    /// </summary>
    Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken);

    /// <summary>
    /// Input the ingest point refused; it has been dropped. For a request or a stream opening that decoded, the returned
    /// message is sent as the reply (null: the connection is closed without one).
    /// </summary>
    Message? OnRefused(IPEndPoint from, InputRefusal refusal);
}
