using System.Collections.Concurrent;
using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// The connections this peer keeps open for its requests, one per remote endpoint, opened on first use and shared by
/// every request to that peer. A connection idle for <see cref="IdleClose"/> is closed, well before the other side's
/// idle limit (<see cref="TransportLimits.IdleConnectionTimeout"/>) would close it under a request.
/// </summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly WireCodec _codec;
    private readonly ConcurrentDictionary<IPEndPoint, Lazy<Task<MultiplexedConnection>>> _connections = new();
    private readonly Timer _sweeper;
    private int _disposed;

    public ConnectionPool(WireCodec codec, TimeSpan idleClose)
    {
        _codec = codec;
        IdleClose = idleClose;
        _sweeper = new Timer(_ => CloseIdle(), null, idleClose / 2, idleClose / 2);
    }

    public TimeSpan IdleClose { get; }

    /// <summary>
    /// The open connection to <paramref name="to"/>, or a new one, and whether it was open already. Concurrent callers
    /// share one connection attempt, bounded by <paramref name="connectTimeout"/> of the caller that started it; a failed
    /// attempt is forgotten so the next caller tries again.
    /// </summary>
    public async Task<(MultiplexedConnection Connection, bool Reused)> GetAsync(IPEndPoint to, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        while (true)
        {
            var entry = _connections.GetOrAdd(to, endPoint => new Lazy<Task<MultiplexedConnection>>(() => OpenAsync(endPoint, connectTimeout)));
            var reused = entry.IsValueCreated && entry.Value.IsCompletedSuccessfully;
            MultiplexedConnection connection;
            try
            {
                connection = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _connections.TryRemove(new KeyValuePair<IPEndPoint, Lazy<Task<MultiplexedConnection>>>(to, entry));
                throw;
            }
            if (connection.IsOpen)
                return (connection, reused);
            if (_connections.TryRemove(new KeyValuePair<IPEndPoint, Lazy<Task<MultiplexedConnection>>>(to, entry)))
                _ = connection.DisposeAsync().AsTask();
        }
    }

    private async Task<MultiplexedConnection> OpenAsync(IPEndPoint to, TimeSpan connectTimeout)
    {
        using var bounded = new CancellationTokenSource(connectTimeout);
        return await MultiplexedConnection.OpenAsync(to, _codec, bounded.Token).ConfigureAwait(false);
    }

    private void CloseIdle()
    {
        foreach (var (to, entry) in _connections)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && entry.Value.Result is var connection
                && (!connection.IsOpen || connection.IdleFor(IdleClose))
                && _connections.TryRemove(new KeyValuePair<IPEndPoint, Lazy<Task<MultiplexedConnection>>>(to, entry)))
                _ = connection.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        var open = _connections.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully).Select(e => e.Value.Result).ToArray();
        _connections.Clear();
        foreach (var connection in open)
            await connection.DisposeAsync().ConfigureAwait(false);
    }
}
