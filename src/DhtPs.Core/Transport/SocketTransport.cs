using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// UDP datagrams plus one-frame-request / one-frame-reply exchanges over TCP, and TCP streams
/// opened with a <see cref="FrameKind.StreamOpening"/> frame and then handed to the handler whole.
/// Everything received passes the <see cref="Ingest"/> point; bad input is reported and dropped, never thrown into a loop.
/// </summary>
internal sealed class SocketTransport : IPeerTransport
{
    private static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(30);
    private const int MaxConcurrentConnections = 256;

    private readonly Socket _datagram;
    private readonly Socket _listener;
    private readonly Ingest _ingest;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _connectionSlots = new(MaxConcurrentConnections);
    private readonly Task _receiveLoop;
    private readonly Task _acceptLoop;
    private uint _requestSequence;

    public SocketTransport(IPEndPoint localEndPoint, Socket datagram, Socket listener, Ingest ingest)
    {
        LocalEndPoint = localEndPoint;
        _datagram = datagram;
        _listener = listener;
        _ingest = ingest;
        _receiveLoop = Task.Run(ReceiveDatagramsAsync);
        _acceptLoop = Task.Run(AcceptConnectionsAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    public void SendDatagram(IPEndPoint to, uint sequence, Message message)
    {
        try
        {
            _datagram.SendTo(_ingest.Codec.EncodeDatagram(message, sequence), to);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Datagrams are best effort; a missed ping is how the peer learns about it.
        }
    }

    public async Task<Message> RequestAsync(IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(to, deadline.Token).ConfigureAwait(false);
            await using var stream = await _ingest.Codec.ConnectAsync(new NetworkStream(socket, ownsSocket: false), deadline.Token).ConfigureAwait(false);
            var sequence = Interlocked.Increment(ref _requestSequence);
            await stream.WriteAsync(MessageCodec.Encode(request, sequence), deadline.Token).ConfigureAwait(false);
            await stream.FlushAsync(deadline.Token).ConfigureAwait(false);
            var frame = await FrameCodec.ReadAsync(stream, deadline.Token).ConfigureAwait(false)
                ?? throw new TransportException(to, $"Peer at {to} closed the connection without answering.");
            return _ingest.Answer(to, frame);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportException(to, $"Peer at {to} did not answer within {timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is SocketException or IOException or ProtocolException)
        {
            throw new TransportException(to, $"Peer at {to} could not be reached: {e.Message}", e);
        }
    }

    public async Task<Stream> OpenStreamAsync(IPEndPoint to, Message opening, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        deadline.CancelAfter(connectTimeout);
        var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(to, deadline.Token).ConfigureAwait(false);
            var stream = await _ingest.Codec.ConnectAsync(new NetworkStream(socket, ownsSocket: true), deadline.Token).ConfigureAwait(false);
            await stream.WriteAsync(MessageCodec.EncodeOpening(opening, Interlocked.Increment(ref _requestSequence)), deadline.Token).ConfigureAwait(false);
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TransportException(to, $"Peer at {to} could not be reached within {connectTimeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is SocketException or IOException)
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

    private async Task ReceiveDatagramsAsync()
    {
        var buffer = new byte[64 * 1024];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _datagram.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP unreachable surfaced on the socket: not our input, keep listening.
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _ingest.Datagram((IPEndPoint)received.RemoteEndPoint, buffer.AsMemory(0, received.ReceivedBytes));
        }
    }

    private async Task AcceptConnectionsAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                await _connectionSlots.WaitAsync(_stopping.Token).ConfigureAwait(false);
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                _connectionSlots.Release();
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeConnectionAsync(connection);
        }
    }

    private async Task ServeConnectionAsync(Socket connection)
    {
        var from = (IPEndPoint)connection.RemoteEndPoint!;
        try
        {
            connection.NoDelay = true;
            using var accepting = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            accepting.CancelAfter(IdleConnectionTimeout);
            await using var stream = await _ingest.Codec.AcceptAsync(new NetworkStream(connection, ownsSocket: true), accepting.Token).ConfigureAwait(false);
            for (var first = true; !_stopping.IsCancellationRequested; first = false)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                idle.CancelAfter(IdleConnectionTimeout);
                var frame = await FrameCodec.ReadAsync(stream, idle.Token).ConfigureAwait(false);
                if (frame is null)
                    return;
                var request = MessageCodec.DecodePayload(frame.Value);
                if (frame.Value.Kind == FrameKind.StreamOpening)
                {
                    if (!first)
                        throw new ProtocolException(ProtocolError.UnknownFrameKind, "Only a connection's first frame may open a stream.");
                    // The connection now belongs to the handler until it is done with it; the handler sets its own idle limit.
                    await _ingest.StreamAsync(from, request, stream, _stopping.Token).ConfigureAwait(false);
                    return;
                }
                var reply = await _ingest.RequestAsync(from, request, idle.Token).ConfigureAwait(false);
                if (reply is null)
                    return;
                await stream.WriteAsync(MessageCodec.Encode(reply, frame.Value.Sequence), idle.Token).ConfigureAwait(false);
                await stream.FlushAsync(idle.Token).ConfigureAwait(false);
            }
        }
        catch (ProtocolException e)
        {
            _ingest.Undecodable(from, InputPath.Request, e);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The other side went away or idled out; nothing to answer.
        }
        finally
        {
            _connectionSlots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        _stopping.Cancel();
        _datagram.Dispose();
        _listener.Dispose();
        await Task.WhenAll(_receiveLoop, _acceptLoop).ConfigureAwait(false);
    }
}
