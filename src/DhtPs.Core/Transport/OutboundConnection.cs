using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Transport;

/// <summary>
/// A TCP connection a client (a process that runs no peer) opens to a peer: no socket of its own listens.
/// The client names itself by the connection's local endpoint, with id 0, since a message must name its sender.
/// With the ring's secret (its <see cref="WireCodec"/>) the connection is authenticated like a peer's; a peer that
/// refuses the client's authentication, or has a secret the client lacks, fails it with <see cref="DhtAuthenticationException"/>.
/// </summary>
public sealed class OutboundConnection : IAsyncDisposable
{
    private readonly Socket _socket;

    private OutboundConnection(Socket socket, IPEndPoint remote, Stream stream)
    {
        _socket = socket;
        Remote = remote;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        Self = new PeerContact(0, local.Address.ToString(), local.Port);
        Stream = stream;
    }

    public IPEndPoint Remote { get; }

    /// <summary>How this client names itself in the messages it sends on this connection.</summary>
    public PeerContact Self { get; }

    public Stream Stream { get; }

    /// <param name="codec">The ring's wire: <see cref="WireCodec.Open"/> (the default) or the ring secret's.</param>
    /// <exception cref="TransportException">The peer cannot be reached within <paramref name="timeout"/>.</exception>
    /// <exception cref="DhtAuthenticationException">The peer refused the authentication.</exception>
    public static async Task<OutboundConnection> ConnectAsync(IPEndPoint to, TimeSpan timeout, CancellationToken cancellationToken, WireCodec? codec = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(to, deadline.Token).ConfigureAwait(false);
            var stream = await (codec ?? WireCodec.Open).ConnectAsync(new NetworkStream(socket, ownsSocket: true), deadline.Token).ConfigureAwait(false);
            return new OutboundConnection(socket, to, stream);
        }
        catch (ProtocolException e) when (e.Error == ProtocolError.Unauthenticated)
        {
            socket.Dispose();
            throw Refused(to, e.Message, e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TransportException(to, $"Peer at {to} could not be reached within {timeout.TotalSeconds:0.###} s.");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TransportException(to, $"Peer at {to} could not be reached: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One request, one reply, on a connection of its own (as a peer's own requests travel).</summary>
    /// <param name="request">Builds the request from how this client names itself.</param>
    /// <exception cref="TransportException">Unreachable, closed without an answer, garbled, or no answer within <paramref name="timeout"/>.</exception>
    public static async Task<Message> RequestAsync(IPEndPoint to, Func<PeerContact, Message> request, TimeSpan timeout, CancellationToken cancellationToken,
        WireCodec? codec = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await using var connection = await ConnectAsync(to, timeout, deadline.Token, codec).ConfigureAwait(false);
            await connection.Stream.WriteAsync(MessageCodec.Encode(request(connection.Self), sequence: 1), deadline.Token).ConfigureAwait(false);
            return await connection.ReadMessageAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportException(to, $"Peer at {to} did not answer within {timeout.TotalSeconds:0.###} s.");
        }
    }

    /// <summary>Sends the frame that opens a stream (<see cref="FrameKind.StreamOpening"/>).</summary>
    public async Task SendOpeningAsync(Message opening, CancellationToken cancellationToken)
    {
        await Stream.WriteAsync(MessageCodec.EncodeOpening(opening, sequence: 1), cancellationToken).ConfigureAwait(false);
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one message frame.</summary>
    /// <exception cref="TransportException">The peer closed the connection first, or sent something that is no message.</exception>
    /// <exception cref="DhtAuthenticationException">The peer refused the client's authentication, or has a secret the client lacks.</exception>
    public async Task<Message> ReadMessageAsync(CancellationToken cancellationToken)
    {
        try
        {
            var frame = await FrameCodec.ReadAsync(Stream, cancellationToken).ConfigureAwait(false)
                ?? throw new TransportException(Remote, $"Peer at {Remote} closed the connection without answering.");
            var message = MessageCodec.DecodeInStream(frame);
            return message is ErrorResponse { Code: ErrorCode.AuthenticationFailed } refusal
                ? throw Refused(Remote, RemoteText.Clean(refusal.Reason), null)
                : message;
        }
        catch (ProtocolException e) when (e.Error == ProtocolError.Unauthenticated)
        {
            throw Refused(Remote, e.Message, e);
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException)
        {
            throw new TransportException(Remote, $"Peer at {Remote} could not be reached: {e.Message}", e);
        }
    }

    private static DhtAuthenticationException Refused(IPEndPoint peer, string why, Exception? inner) =>
        new(peer, $"Peer at {peer} refused this client's authentication: {why}", inner);

    public async Task WriteMessageAsync(Message message, CancellationToken cancellationToken)
    {
        await Stream.WriteAsync(MessageCodec.Encode(message, sequence: 0), cancellationToken).ConfigureAwait(false);
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
