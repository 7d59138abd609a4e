using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Routing;

/// <summary>How many hops a routed request may take, and how long finger upkeep waits: named once.</summary>
public static class RoutingLimits
{
    /// <summary>
    /// Every forward goes strictly closer to the key (fingers) or one successor on (a walk of successors ends within
    /// one lap), so this only guards against a peer that miscounts or a ring in repair that sends a request round in circles.
    /// </summary>
    public const int MaxHops = 1 << 16;

    /// <summary>A finger's lookup crosses up to log N hops, each bounded by the request timeout: two timeouts cover a slow one.</summary>
    public static TimeSpan FingerLookupTimeout(TimeSpan requestTimeout) => requestTimeout * 2;

    /// <summary>The longest pause of a settled peer's finger upkeep: fingers a join made stale are refreshed within it.</summary>
    public static readonly TimeSpan FingerPauseCeiling = TimeSpan.FromSeconds(30);

    /// <summary><see cref="FingerPauseCeiling"/> in ping rounds (none at intervals that long).</summary>
    public static int FingerPauseRounds(TimeSpan pingInterval) => (int)(FingerPauseCeiling / pingInterval);

    /// <summary>
    /// The round trips of forward acknowledgements: RFC 6298's first guess (1 s); a floor of 500 ms, above TCP's 200 ms
    /// because an acknowledgement waits for the hop's logical thread as well as the network, and a busy host delays that;
    /// neither above the request timeout, which is also the ceiling of the backed-off wait.
    /// </summary>
    public static RttEstimatorOptions ForwardRoundTrips(TimeSpan requestTimeout) => new()
    {
        InitialTimeout = Min(RttEstimatorOptions.Default.InitialTimeout, requestTimeout),
        Floor = Min(ForwardTimeoutFloor, requestTimeout),
        Ceiling = requestTimeout,
    };

    private static readonly TimeSpan ForwardTimeoutFloor = TimeSpan.FromMilliseconds(500);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>How many owners a peer remembers: enough for a working set of keys, small enough to scan per request.</summary>
    public const int OwnerCacheCapacity = 256;
}
