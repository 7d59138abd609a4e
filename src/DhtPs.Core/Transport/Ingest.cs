using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// The one point every frame and datagram a peer receives passes, whatever the transport: decode and authenticate
/// (<see cref="WireCodec"/>), validate (<see cref="MessageValidator"/>), then dispatch to the <see cref="ITransportHandler"/>.
/// Anything refused on the way is dropped and reported once as an <see cref="InputRefusal"/>; answers to this peer's
/// own requests are checked the same way. Thread-safe: it holds no state of its own.
/// </summary>
public sealed class Ingest(WireCodec codec, ITransportHandler handler)
{
    public WireCodec Codec { get; } = codec;

    public ITransportHandler Handler { get; } = handler;

    /// <summary>A datagram as it came off the wire.</summary>
    public void Datagram(IPEndPoint from, ReadOnlyMemory<byte> bytes)
    {
        uint sequence;
        Message message;
        try
        {
            (sequence, message) = Codec.DecodeDatagram(bytes);
        }
        catch (ProtocolException e)
        {
            Undecodable(from, InputPath.Datagram, e);
            return;
        }
        Datagram(from, sequence, message);
    }

    /// <summary>A datagram already decoded (a simulated network passing objects).</summary>
    public void Datagram(IPEndPoint from, uint sequence, Message message)
    {
        if (Problem(message) is { } problem)
            Refuse(from, InputPath.Datagram, message, problem);
        else
            Handler.OnDatagram(from, sequence, RemoteText.Clean(message));
    }

    /// <summary>A decoded request: the handler's answer, or the refusal to send back (null: close without a reply).</summary>
    public async Task<Message?> RequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken) =>
        Problem(request) is { } problem
            ? Refuse(from, InputPath.Request, request, problem)
            : await Handler.OnRequestAsync(from, RemoteText.Clean(request), cancellationToken).ConfigureAwait(false);

    /// <summary>A decoded stream opening: the handler takes the stream, or the refusal is written to it.</summary>
    public async Task StreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken)
    {
        if (Problem(opening) is not { } problem)
        {
            await Handler.OnStreamAsync(from, RemoteText.Clean(opening), stream, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (Refuse(from, InputPath.StreamOpening, opening, problem) is { } reply)
        {
            await stream.WriteAsync(MessageCodec.Encode(reply, sequence: 0), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The answer <paramref name="from"/> gave to this peer's request. An error response is passed on as it is (it may
    /// come from another ring and say so); anything else must be valid for this ring.
    /// </summary>
    /// <exception cref="TransportException">The answer is unusable; it has been reported, and counts as no answer.</exception>
    public Message Answer(IPEndPoint from, Message answer)
    {
        if (answer is ErrorResponse { Code: ErrorCode.AuthenticationFailed } refusal)
        {
            var why = RemoteText.Clean(refusal.Reason);
            Handler.OnRefused(from, new InputRefusal(RefusalKind.Unauthenticated, InputPath.Answer, $"the peer refused authentication: {why}"));
            throw new DhtAuthenticationException(from, $"Peer at {from} refused this peer's authentication: {why}");
        }
        var problem = answer is ErrorResponse ? MessageValidator.CheckShape(answer) : MessageValidator.Validate(answer, Handler.Space);
        if (problem is not { } found)
            return RemoteText.Clean(answer);
        var reason = RemoteText.Clean(found.Reason);
        Handler.OnRefused(from, new InputRefusal(RefusalKind.Malformed, InputPath.Answer, reason, answer, found.Code));
        throw new TransportException(from, $"Peer at {from} sent an invalid answer ({answer.GetType().Name}: {reason}).", found.ToException(answer));
    }

    /// <summary>An answer frame as it came off the wire.</summary>
    /// <exception cref="TransportException">It does not decode, or is unusable; it has been reported.</exception>
    public Message Answer(IPEndPoint from, Frame frame)
    {
        Message answer;
        try
        {
            answer = MessageCodec.DecodePayload(frame);
        }
        catch (ProtocolException e)
        {
            Undecodable(from, InputPath.Answer, e);
            throw new TransportException(from, $"Peer at {from} sent an invalid answer: {RemoteText.Clean(e.Message)}", e);
        }
        return Answer(from, answer);
    }

    /// <summary>Input that did not decode or authenticate; for a connection, the handler's reply to send (plain) before closing it.</summary>
    public Message? Undecodable(IPEndPoint from, InputPath path, ProtocolException error) =>
        Handler.OnRefused(from, new InputRefusal(
            error.Error == ProtocolError.Unauthenticated ? RefusalKind.Unauthenticated : RefusalKind.Malformed, path, RemoteText.Clean(error.Message)));

    /// <summary>
    /// This peer's request went unauthenticated (the other side refused it, or could not prove the ring secret):
    /// reported like any unauthenticated input, and the failure the caller sees.
    /// </summary>
    public DhtAuthenticationException Unauthenticated(IPEndPoint to, ProtocolException error)
    {
        Undecodable(to, InputPath.Answer, error);
        return new DhtAuthenticationException(to, $"Authentication with the peer at {to} failed: {RemoteText.Clean(error.Message)}", error);
    }

    /// <summary>A connection refused or cut off by a <see cref="TransportLimits"/> limit.</summary>
    public void OverLimit(IPEndPoint from, RefusalKind kind, string reason) =>
        Handler.OnRefused(from, new InputRefusal(kind, InputPath.Request, reason));

    private MessageProblem? Problem(Message message) => MessageValidator.Validate(message, Handler.Space);

    private Message? Refuse(IPEndPoint from, InputPath path, Message message, MessageProblem problem)
    {
        var kind = problem.Code == ErrorCode.IdBitsMismatch ? RefusalKind.OtherRing : RefusalKind.Malformed;
        return Handler.OnRefused(from, new InputRefusal(kind, path, RemoteText.Clean(problem.Reason), message, problem.Code));
    }
}
