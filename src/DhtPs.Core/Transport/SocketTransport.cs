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
    private readonly Socket _datagram;
    private readonly Socket _listener;
    private readonly Ingest _ingest;
    private readonly TransportLimits _limits;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _connectionSlots;
    private readonly Dictionary<IPAddress, int> _connectionsBySource = [];
    private readonly Task _receiveLoop;
    private readonly Task _acceptLoop;
    private uint _requestSequence;

    public SocketTransport(IPEndPoint localEndPoint, Socket datagram, Socket listener, Ingest ingest, TransportLimits limits)
    {
        LocalEndPoint = localEndPoint;
        _datagram = datagram;
        _listener = listener;
        _ingest = ingest;
        _limits = limits;
        _connectionSlots = new SemaphoreSlim(limits.MaxConnections);
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
        catch (ProtocolException e) when (e.Error == ProtocolError.Unauthenticated)
        {
            throw _ingest.Unauthenticated(to, e);
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
        catch (ProtocolException e) when (e.Error == ProtocolError.Unauthenticated)
        {
            socket.Dispose();
            throw _ingest.Unauthenticated(to, e);
        }
        catch (Exception e) when (e is SocketException or IOException or ProtocolException)
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
            var from = (IPEndPoint)connection.RemoteEndPoint!;
            if (!TryAdmit(from.Address))
            {
                connection.Dispose();
                _connectionSlots.Release();
                _ingest.OverLimit(from, RefusalKind.ConnectionLimit, $"more than {_limits.MaxConnectionsPerSource} connections at once from {from.Address}");
                continue;
            }
            _ = ServeConnectionAsync(connection, from);
        }
    }

    /// <summary>
    /// Counts a connection against its source address; false when that address already holds its share. Connections
    /// from this peer's own address are other peers of this host (a ring of many peers in one process shares it) and
    /// only count against the total: no stranger elsewhere can send from it.
    /// </summary>
    private bool TryAdmit(IPAddress source)
    {
        if (source.Equals(LocalEndPoint.Address))
            return true;
        lock (_connectionsBySource)
        {
            var held = _connectionsBySource.GetValueOrDefault(source);
            if (held >= _limits.MaxConnectionsPerSource)
                return false;
            _connectionsBySource[source] = held + 1;
            return true;
        }
    }

    private void Release(IPAddress source)
    {
        if (!source.Equals(LocalEndPoint.Address))
        {
            lock (_connectionsBySource)
            {
                if (--_connectionsBySource[source] == 0)
                    _connectionsBySource.Remove(source);
            }
        }
        _connectionSlots.Release();
    }

    private async Task ServeConnectionAsync(Socket connection, IPEndPoint from)
    {
        connection.NoDelay = true;
        var raw = new NetworkStream(connection, ownsSocket: true);
        // The handshake and the first frame must come within the first-frame deadline, however slowly they drip.
        using var firstFrame = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        firstFrame.CancelAfter(_limits.FirstFrameDeadline);
        var awaitingFirstFrame = true;
        Stream? stream = null; // Disposed only after a refusal has been written to the raw connection.
        try
        {
            stream = await _ingest.Codec.AcceptAsync(raw, firstFrame.Token).ConfigureAwait(false);
            for (var first = true; !_stopping.IsCancellationRequested; first = false)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                idle.CancelAfter(_limits.IdleConnectionTimeout);
                var frame = await FrameCodec.ReadAsync(stream, first ? firstFrame.Token : idle.Token).ConfigureAwait(false);
                awaitingFirstFrame = false;
                if (frame is null)
                    return;
                var request = MessageCodec.DecodePayload(frame.Value);
                if (frame.Value.Kind == FrameKind.StreamOpening)
                {
                    if (!first)
                        throw new ProtocolException(ProtocolError.UnknownFrameKind, "Only a connection's first frame may open a stream.");
                    // The connection now belongs to the handler until it is done with it; the handler sets its own idle
                    // limit, and the sender must keep a minimum rate.
                    var limited = new MinimumRateStream(stream, _limits, reason => _ingest.OverLimit(from, RefusalKind.TooSlow, reason));
                    await _ingest.StreamAsync(from, request, limited, _stopping.Token).ConfigureAwait(false);
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
            // Unauthenticated input is answered in the clear: the sides share no key, and the other side must learn
            // it was refused, not take this peer for a dead one.
            if (_ingest.Undecodable(from, InputPath.Request, e) is { } refusal && e.Error == ProtocolError.Unauthenticated)
                await TryWriteAsync(raw, MessageCodec.Encode(refusal, sequence: 0)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (awaitingFirstFrame && !_stopping.IsCancellationRequested)
        {
            _ingest.OverLimit(from, RefusalKind.TooSlow, $"no complete request within {_limits.FirstFrameDeadline.TotalSeconds:0.###} s of connecting");
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The other side went away or idled out; nothing to answer.
        }
        finally
        {
            if (stream is not null)
                await stream.DisposeAsync().ConfigureAwait(false);
            await raw.DisposeAsync().ConfigureAwait(false);
            Release(from.Address);
        }
    }

    private static async Task TryWriteAsync(Stream stream, byte[] bytes)
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await stream.WriteAsync(bytes, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The refusal is a courtesy; the connection closes either way.
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
