namespace DhtPs.Core.Transport;

/// <summary>
/// Every connection the peers of one <see cref="SocketNetwork"/> keep open for their requests (one process, as a rule):
/// one sweeper closes those idle for <see cref="TransportLimits.KeptConnectionIdleClose"/>, and past
/// <see cref="TransportLimits.MaxKeptConnections"/> a new one closes the least recently used idle ones. A ring of many
/// peers in one process holds both ends of each connection, so without the cap its descriptors grow with peers times
/// fingers (issue 12: 1,000 peers ran out of descriptors); one peer per host never comes near it.
/// Thread-safe. Each connection still belongs to its <see cref="ConnectionPool"/>, which alone closes it; this only asks.
/// </summary>
internal sealed class KeptConnections(TransportLimits limits)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<MultiplexedConnection, ConnectionPool> _open = [];
    private ITimer? _sweeper;

    /// <summary>How many are open now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _open.Count;
        }
    }

    public TimeSpan IdleClose => limits.KeptConnectionIdleClose;

    /// <summary>A pool opened <paramref name="connection"/>; past the cap, the least recently used idle ones are closed.</summary>
    public void Opened(MultiplexedConnection connection, ConnectionPool pool)
    {
        List<(MultiplexedConnection, ConnectionPool)> evicted = [];
        lock (_gate)
        {
            _open[connection] = pool;
            _sweeper ??= TimeProvider.System.CreateTimer(_ => Sweep(), null, IdleClose / 2, IdleClose / 2);
            if (_open.Count > limits.MaxKeptConnections)
            {
                // An eighth of the cap at once, so the scan is paid once per many openings, not once per opening.
                var excess = _open.Count - limits.MaxKeptConnections + limits.MaxKeptConnections / 8;
                evicted.AddRange(_open
                    .Where(open => open.Key != connection && open.Key.IdleFor(TimeSpan.Zero))
                    .OrderBy(open => open.Key.LastUsed)
                    .Take(excess)
                    .Select(open => (open.Key, open.Value)));
            }
        }
        foreach (var (idle, owner) in evicted)
            owner.Close(idle);
    }

    /// <summary>Its pool closed <paramref name="connection"/> (idle, broken, evicted or the pool disposed).</summary>
    public void Closed(MultiplexedConnection connection)
    {
        lock (_gate)
            _open.Remove(connection);
    }

    private void Sweep()
    {
        List<(MultiplexedConnection, ConnectionPool)> idle;
        lock (_gate)
        {
            idle = [.. _open.Where(open => !open.Key.IsOpen || open.Key.IdleFor(IdleClose)).Select(open => (open.Key, open.Value))];
            if (_open.Count == idle.Count)
            {
                // Nothing will be open after this sweep: the next connection starts the sweeper again.
                _sweeper?.Dispose();
                _sweeper = null;
            }
        }
        foreach (var (connection, owner) in idle)
            owner.Close(connection);
    }
}
