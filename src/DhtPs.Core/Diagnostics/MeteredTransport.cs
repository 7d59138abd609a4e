using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Diagnostics;

/// <summary>
/// Reports every message a peer sends and receives, the refusals in the replies, the failures to reach a peer, and the
/// bytes of file streams, by sitting on both sides of its transport: around the transport the peer calls, and around
/// the handler the transport calls. The peer and the transports stay unaware of metrics.
/// </summary>
public sealed class MeteredTransport : IPeerTransport
{
    private readonly IPeerTransport _inner;
    private readonly PeerMetrics _metrics;

    private MeteredTransport(IPeerTransport inner, PeerMetrics metrics)
    {
        _inner = inner;
        _metrics = metrics;
    }

    /// <summary>Binds through <paramref name="network"/>, speaking <paramref name="codec"/>, with both sides metered.</summary>
    public static async Task<IPeerTransport> BindAsync(INetwork network, IPEndPoint endPoint, WireCodec codec, ITransportHandler handler, PeerMetrics metrics,
        CancellationToken cancellationToken) =>
        new MeteredTransport(await network.BindAsync(endPoint, new Ingest(codec, new MeteredHandler(handler, metrics)), cancellationToken).ConfigureAwait(false), metrics);

    public IPEndPoint LocalEndPoint => _inner.LocalEndPoint;

    public void SendDatagram(IPEndPoint to, uint sequence, Message message)
    {
        _metrics.MessageSent(message);
        _inner.SendDatagram(to, sequence, message);
    }

    public async Task<Message> RequestAsync(IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _metrics.MessageSent(request);
        Message reply;
        try
        {
            reply = await _inner.RequestAsync(to, request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TransportException)
        {
            _metrics.Failed("unreachable");
            throw;
        }
        _metrics.MessageReceived(reply);
        if (reply is ErrorResponse refusal)
            _metrics.Refused(refusal.Code, here: false);
        return reply;
    }

    public async Task<Stream> OpenStreamAsync(IPEndPoint to, Message opening, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        _metrics.MessageSent(opening);
        try
        {
            return new CountingStream(await _inner.OpenStreamAsync(to, opening, connectTimeout, cancellationToken).ConfigureAwait(false),
                _metrics, PurposeOf(opening));
        }
        catch (TransportException)
        {
            _metrics.Failed("unreachable");
            throw;
        }
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    /// <summary>What a file stream is for, from the message that opened it.</summary>
    internal static string PurposeOf(Message opening) => opening switch
    {
        FileUpload upload => upload.Purpose.ToString().ToLowerInvariant(),
        FileDelivery => "fetch",
        _ => opening.GetType().Name,
    };

    private sealed class MeteredHandler(ITransportHandler inner, PeerMetrics metrics) : ITransportHandler
    {
        public Ring.IdSpace Space => inner.Space;

        public void OnDatagram(IPEndPoint from, uint sequence, Message message)
        {
            metrics.MessageReceived(message);
            inner.OnDatagram(from, sequence, message);
        }

        public async Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken)
        {
            metrics.MessageReceived(request);
            var reply = await inner.OnRequestAsync(from, request, cancellationToken).ConfigureAwait(false);
            metrics.MessageSent(reply);
            if (reply is ErrorResponse refusal)
                metrics.Refused(refusal.Code, here: true);
            return reply;
        }

        public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken)
        {
            metrics.MessageReceived(opening);
            return inner.OnStreamAsync(from, opening, new CountingStream(stream, metrics, PurposeOf(opening)), cancellationToken);
        }

        /// <summary>Refused at the ingest point: a failure by its kind, and the refusal sent back, if any, as a reply.</summary>
        public Message? OnRefused(IPEndPoint from, InputRefusal refusal)
        {
            metrics.Failed(refusal.Kind switch
            {
                RefusalKind.Malformed => "malformed",
                RefusalKind.OtherRing => "other-ring",
                RefusalKind.Unauthenticated => "unauthenticated",
                RefusalKind.ConnectionLimit => "connection-limit",
                _ => "too-slow",
            });
            var reply = inner.OnRefused(from, refusal);
            if (reply is ErrorResponse sent)
            {
                metrics.MessageSent(sent);
                metrics.Refused(sent.Code, here: true);
            }
            return reply;
        }
    }
}
