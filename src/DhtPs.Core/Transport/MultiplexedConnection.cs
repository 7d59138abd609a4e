using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// One TCP connection this peer keeps open to another peer for its requests (protocol.md §1.3): many requests in
/// flight at once, each frame sent whole under a write lock, and replies matched to their requests by sequence
/// number by a single reader. When the connection breaks, every request still waiting on it fails at once.
/// </summary>
internal sealed class MultiplexedConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly IPEndPoint _remote;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Frame>> _waiting = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reading;
    private long _lastUsed = Environment.TickCount64;
    private Exception? _broken;
    private int _disposed;

    private MultiplexedConnection(Socket socket, Stream stream, IPEndPoint remote)
    {
        _socket = socket;
        _stream = stream;
        _remote = remote;
        _reading = Task.Run(ReadRepliesAsync);
    }

    /// <summary>False once the connection broke or was closed: the pool opens a new one.</summary>
    public bool IsOpen => Volatile.Read(ref _broken) is null && !_closing.IsCancellationRequested;

    /// <summary>True when no request waits on it and none was sent for <paramref name="idle"/>.</summary>
    public bool IdleFor(TimeSpan idle) => _waiting.IsEmpty && Environment.TickCount64 - LastUsed >= idle.TotalMilliseconds;

    /// <summary>When a request last started or ended on it (<see cref="Environment.TickCount64"/>).</summary>
    public long LastUsed => Interlocked.Read(ref _lastUsed);

    public IPEndPoint Remote => _remote;

    /// <summary>Connects and makes the connection ready for frames (the ring's handshake, if it has a secret).</summary>
    /// <exception cref="SocketException">Unreachable.</exception>
    /// <exception cref="ProtocolException">The handshake failed.</exception>
    public static async Task<MultiplexedConnection> OpenAsync(IPEndPoint to, WireCodec codec, CancellationToken cancellationToken)
    {
        var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(to, cancellationToken).ConfigureAwait(false);
            var stream = await codec.ConnectAsync(new NetworkStream(socket, ownsSocket: false), cancellationToken).ConfigureAwait(false);
            return new MultiplexedConnection(socket, stream, to);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request frame and waits for the frame that answers its sequence number.</summary>
    /// <exception cref="ConnectionBrokenException">The connection broke before the answer came; <see cref="ConnectionBrokenException.Sent"/> says whether the request had left.</exception>
    public async Task<Frame> ExchangeAsync(uint sequence, byte[] request, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[sequence] = answer;
        Interlocked.Exchange(ref _lastUsed, Environment.TickCount64);
        try
        {
            if (Volatile.Read(ref _broken) is { } broken)
                throw new ConnectionBrokenException(broken, sent: false);
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                Break(e);
                throw new ConnectionBrokenException(e, sent: false);
            }
            finally
            {
                _writing.Release();
            }
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waiting.TryRemove(sequence, out _);
            Interlocked.Exchange(ref _lastUsed, Environment.TickCount64);
        }
    }

    private async Task ReadRepliesAsync()
    {
        try
        {
            while (true)
            {
                var frame = await FrameCodec.ReadAsync(_stream, _closing.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    Break(new IOException($"Peer at {_remote} closed the connection."));
                    return;
                }
                if (frame.Value.Sequence == 0)
                {
                    // Not an answer to one request but the connection's refusal (authentication): every waiting request gets it.
                    foreach (var waiting in _waiting.Values)
                        waiting.TrySetResult(frame.Value);
                    Break(new IOException($"Peer at {_remote} refused the connection."));
                    return;
                }
                // An answer nobody waits for any more (its request timed out) is dropped.
                if (_waiting.TryGetValue(frame.Value.Sequence, out var answer))
                    answer.TrySetResult(frame.Value);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException or OperationCanceledException or ObjectDisposedException)
        {
            Break(e);
        }
    }

    /// <summary>Fails every waiting request at once, with the reason, and closes the socket.</summary>
    private void Break(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _broken, reason, null) is not null)
            return;
        foreach (var waiting in _waiting.Values)
            waiting.TrySetException(new ConnectionBrokenException(reason, sent: true));
        _socket.Dispose(); // Ends the reader too.
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return; // The pool, the sweeper and an eviction may all close it.
        _closing.Cancel();
        Break(new ObjectDisposedException(nameof(MultiplexedConnection), "The connection was closed."));
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writing.Dispose();
        _closing.Dispose();
    }
}

/// <summary>A kept connection broke under a request; <see cref="Sent"/> is false when the request never left.</summary>
internal sealed class ConnectionBrokenException(Exception reason, bool sent) : IOException(reason.Message, reason)
{
    public bool Sent { get; } = sent;
}
