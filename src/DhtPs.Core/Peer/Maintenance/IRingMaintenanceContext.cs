using System.Net;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>
/// What <see cref="RingMaintenance"/> needs of the peer it runs in. Every member is used only on the peer's logical
/// thread, and every callback it is given runs there too, so a fake context drives ring maintenance alone in a test.
/// </summary>
internal interface IRingMaintenanceContext
{
    PeerContact Self { get; }

    IdSpace Space { get; }

    DateTimeOffset Now { get; }

    /// <summary>The peer's status. The host owns it; ring maintenance moves it into and out of Joining, and into Departing.</summary>
    PeerStatus Status { get; set; }

    /// <summary>The router's fingers (shortcuts ahead, possibly stale): where a repair with no live successor starts its walk back.</summary>
    IEnumerable<PeerContact> Fingers { get; }

    /// <summary>Sends a request; <paramref name="onReply"/> runs later on the logical thread with the checked answer.</summary>
    void Ask(IPEndPoint to, Message request, Action<Reply> onReply);

    /// <summary>Sends a request whose answer only ends the wait (a departure notice): the task completes, or fails, with it.</summary>
    Task SendAsync(PeerContact to, Message request);

    /// <summary>A one-shot timer whose <paramref name="onDue"/> runs on the logical thread.</summary>
    ITimer StartTimer(TimeSpan due, Action onDue);

    /// <summary>Raises an event; a death carries the failure detector's <paramref name="evidence"/>.</summary>
    void Raise(DhtEventKind kind, string message, ulong? remotePeerId, FailureEvidence? evidence = null);

    /// <summary>Passes a join request on through the router (or serves it here, where it belongs).</summary>
    void RouteJoin(JoinRequest request);

    /// <summary>Publishes the peer's state now and returns it: whoever is told a join ended reads it next.</summary>
    DhtPeer PublishSnapshot();

    /// <summary>Ends the ping rounds and the probes: a departing peer pings nobody.</summary>
    void StopPinging();
}
