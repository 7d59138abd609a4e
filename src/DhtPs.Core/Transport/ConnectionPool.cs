using System.Collections.Concurrent;
using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

/// <summary>
/// The connections this peer keeps open for its requests, one per remote endpoint, opened on first use and shared by
/// every request to that peer. The network's <see cref="KeptConnections"/> decides when one goes: idle for
/// <see cref="TransportLimits.KeptConnectionIdleClose"/> (well before the other side's idle limit,
/// <see cref="TransportLimits.IdleConnectionTimeout"/>, would close it under a request), or the least recently used
/// idle one once the process keeps too many. This pool alone closes its connections.
/// </summary>
internal sealed class ConnectionPool(WireCodec codec, KeptConnections kept) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, Lazy<Task<MultiplexedConnection>>> _connections = new();
    private int _disposed;

    /// <summary>How many connections are open (or being opened) now.</summary>
    public int Count => _connections.Count;

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
            Close(connection);
        }
    }

    private async Task<MultiplexedConnection> OpenAsync(IPEndPoint to, TimeSpan connectTimeout)
    {
        using var bounded = new CancellationTokenSource(connectTimeout);
        var connection = await MultiplexedConnection.OpenAsync(to, codec, bounded.Token).ConfigureAwait(false);
        kept.Opened(connection, this);
        return connection;
    }

    /// <summary>Closes <paramref name="connection"/> if it is still this pool's; a later request opens a new one.</summary>
    public void Close(MultiplexedConnection connection)
    {
        if (_connections.TryGetValue(connection.Remote, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            && ReferenceEquals(entry.Value.Result, connection))
            _connections.TryRemove(new KeyValuePair<IPEndPoint, Lazy<Task<MultiplexedConnection>>>(connection.Remote, entry));
        kept.Closed(connection);
        _ = connection.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        var open = _connections.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully).Select(e => e.Value.Result).ToArray();
        _connections.Clear();
        foreach (var connection in open)
        {
            kept.Closed(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
