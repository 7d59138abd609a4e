using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// UDP datagrams plus request/reply exchanges over TCP connections kept open between peers (many requests in flight on
/// one, replies matched by sequence number), and TCP streams opened with a <see cref="FrameKind.StreamOpening"/> frame
/// and then handed to the handler whole.
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
    private readonly ConnectionPool _connections;
    private uint _requestSequence;

    public SocketTransport(IPEndPoint localEndPoint, Socket datagram, Socket listener, Ingest ingest, TransportLimits limits, KeptConnections kept)
    {
        LocalEndPoint = localEndPoint;
        _datagram = datagram;
        _listener = listener;
        _ingest = ingest;
        _limits = limits;
        _connectionSlots = new SemaphoreSlim(limits.MaxConnections);
        _connections = new ConnectionPool(ingest.Codec, kept);
        _receiveLoop = Task.Run(ReceiveDatagramsAsync);
        _acceptLoop = Task.Run(AcceptConnectionsAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The connections this peer keeps open for its requests right now.</summary>
    internal int KeptConnections => _connections.Count;

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

    /// <summary>
    /// Sends the request on the connection kept open to <paramref name="to"/> (opened if there is none) and waits for
    /// the reply that carries its sequence number. A kept connection that turns out closed under the request (the other
    /// side closed it idle, or restarted) is replaced once.
    /// </summary>
    public async Task<Message> RequestAsync(IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        deadline.CancelAfter(timeout);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (connection, reused) = await _connections.GetAsync(to, timeout, deadline.Token).ConfigureAwait(false);
                var sequence = NextSequence();
                try
                {
                    var frame = await connection.ExchangeAsync(sequence, MessageCodec.Encode(request, sequence), deadline.Token).ConfigureAwait(false);
                    return _ingest.Answer(to, frame);
                }
                catch (ConnectionBrokenException) when (reused && attempt == 1 && !deadline.IsCancellationRequested)
                {
                    // Once more, on a new connection.
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportException(to, $"Peer at {to} did not answer within {timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (Unauthenticated(e) is { } refused)
        {
            throw _ingest.Unauthenticated(to, refused);
        }
        catch (Exception e) when (e is SocketException or IOException or ProtocolException)
        {
            throw new TransportException(to, $"Peer at {to} could not be reached: {e.Message}", e);
        }
    }

    private static ProtocolException? Unauthenticated(Exception e) => e switch
    {
        ProtocolException { Error: ProtocolError.Unauthenticated } refused => refused,
        ConnectionBrokenException { InnerException: ProtocolException { Error: ProtocolError.Unauthenticated } refused } => refused,
        _ => null,
    };

    /// <summary>A request's sequence number: never 0, which marks a reply to the connection as a whole.</summary>
    private uint NextSequence()
    {
        uint sequence;
        do
            sequence = Interlocked.Increment(ref _requestSequence);
        while (sequence == 0);
        return sequence;
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
            await stream.WriteAsync(MessageCodec.EncodeOpening(opening, NextSequence()), deadline.Token).ConfigureAwait(false);
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
        // Pinned and never zeroed: a page is resident only once a datagram reaches it, and pings touch the first one
        // (1,000 peers in one process held 64 MiB of zeroed buffers).
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024, pinned: true);
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

    /// <summary>
    /// Serves one accepted connection: either a stream (its first frame opens it) or requests, answered as each is
    /// handled (so one slow answer holds up no other), with at most <see cref="TransportLimits.MaxRequestsInFlight"/>
    /// of them at once before this stops reading.
    /// </summary>
    private async Task ServeConnectionAsync(Socket connection, IPEndPoint from)
    {
        connection.NoDelay = true;
        var raw = new NetworkStream(connection, ownsSocket: true);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        // The handshake and the first frame must come within the first-frame deadline, however slowly they drip.
        using var firstFrame = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
        firstFrame.CancelAfter(_limits.FirstFrameDeadline);
        using var inFlight = new SemaphoreSlim(_limits.MaxRequestsInFlight);
        using var writing = new SemaphoreSlim(1, 1);
        var answering = new List<Task>();
        var awaitingFirstFrame = true;
        Stream? stream = null; // Disposed only after a refusal has been written to the raw connection.
        try
        {
            stream = await _ingest.Codec.AcceptAsync(raw, firstFrame.Token).ConfigureAwait(false);
            for (var first = true; !closing.IsCancellationRequested; first = false)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
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
                await inFlight.WaitAsync(idle.Token).ConfigureAwait(false);
                answering.RemoveAll(t => t.IsCompleted);
                answering.Add(AnswerAsync(stream, writing, inFlight, closing, from, request, frame.Value.Sequence));
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
            // Answers still being handled are written if the connection lasts; they must end before it is disposed.
            await Task.WhenAll(answering).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stream is not null)
                await stream.DisposeAsync().ConfigureAwait(false);
            await raw.DisposeAsync().ConfigureAwait(false);
            Release(from.Address);
        }
    }

    /// <summary>Handles one request and writes its answer under the connection's write lock; a failure closes the connection.</summary>
    private async Task AnswerAsync(Stream stream, SemaphoreSlim writing, SemaphoreSlim inFlight, CancellationTokenSource closing,
        IPEndPoint from, Message request, uint sequence)
    {
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
            bounded.CancelAfter(_limits.IdleConnectionTimeout);
            var reply = await _ingest.RequestAsync(from, request, bounded.Token).ConfigureAwait(false);
            if (reply is null)
            {
                closing.Cancel(); // Refused input: the connection goes.
                return;
            }
            await writing.WaitAsync(bounded.Token).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(MessageCodec.Encode(reply, sequence), bounded.Token).ConfigureAwait(false);
                await stream.FlushAsync(bounded.Token).ConfigureAwait(false);
            }
            finally
            {
                writing.Release();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            closing.Cancel(); // The other side went away, or stalled the answer past the idle limit.
        }
        finally
        {
            inFlight.Release();
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
        await _connections.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_receiveLoop, _acceptLoop).ConfigureAwait(false);
    }
}
