namespace DhtPs.Core.Transport;

/// <summary>
/// What one peer's listener grants the connections it accepts, so that a stranger holding many connections open, or
/// dripping bytes, cannot stop its service (protocol.md §1). Each refusal is reported to the peer and counted.
/// </summary>
public sealed record TransportLimits
{
    public static TransportLimits Default { get; } = new();

    /// <summary>Connections served at once; further ones wait in the listen backlog.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>
    /// Connections served at once from one source address other than the peer's own (peers of the same host share
    /// that one); further ones are closed at once.
    /// </summary>
    public int MaxConnectionsPerSource { get; init; } = 32;

    /// <summary>A new connection must complete its handshake and first frame within this time.</summary>
    public TimeSpan FirstFrameDeadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Between requests on one connection, and for every further frame as a whole.</summary>
    public TimeSpan IdleConnectionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection this peer keeps for its requests is closed once idle this long (the sweep runs every half of it, so
    /// within 1.5 times it): within the other side's <see cref="IdleConnectionTimeout"/>, and long enough that a peer
    /// answering requesters (deliveries go from the owner to whoever asked) finds its connection to one still open the
    /// next time. At 5 s, 64 peers in one process opened and closed about one connection per get.
    /// </summary>
    public TimeSpan KeptConnectionIdleClose { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Connections kept for requests by all the peers of one network (process) together; past it, a new one closes the
    /// least recently used idle ones. A ring of many peers in one process holds both ends of each (two descriptors):
    /// 12,288 at the cap, so that even 1,000 peers (2,000 more sockets) stay well within the 20,000 descriptors a process
    /// gets here, while 64 peers keep every pair they use (64 x 63 directions, their fingers among them).
    /// </summary>
    public int MaxKeptConnections { get; init; } = 6144;

    /// <summary>Requests one connection may have in flight at once; past this the peer stops reading from it until one is answered.</summary>
    public int MaxRequestsInFlight { get; init; } = 64;

    /// <summary>
    /// A stream another peer opened (an upload, a delivery) must bring at least this many bytes per second of the time
    /// this peer spends waiting for them, once <see cref="RateGracePeriod"/> of waiting has passed.
    /// </summary>
    public int MinimumStreamRate { get; init; } = 4 * 1024;

    public TimeSpan RateGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
}
