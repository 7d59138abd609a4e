using System.Net;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Peer.Maintenance;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>The peer as <see cref="RingMaintenance"/>'s context.</summary>
public sealed partial class PeerNode : IRingMaintenanceContext
{
    PeerContact IRingMaintenanceContext.Self => Contact;

    IdSpace IRingMaintenanceContext.Space => Space;

    DateTimeOffset IRingMaintenanceContext.Now => Time.GetUtcNow();

    PeerStatus IRingMaintenanceContext.Status
    {
        get => _status;
        set => _status = value;
    }

    IEnumerable<PeerContact> IRingMaintenanceContext.Fingers => _router.Fingers.OfType<PeerContact>();

    void IRingMaintenanceContext.Ask(IPEndPoint to, Message request, Action<Reply> onReply) => Ask(to, request, onReply);

    Task IRingMaintenanceContext.SendAsync(PeerContact to, Message request) =>
        _transport.RequestAsync(to.ToEndPoint(), request, _options.RequestTimeout, CancellationToken.None);

    ITimer IRingMaintenanceContext.StartTimer(TimeSpan due, Action onDue) =>
        Time.CreateTimer(_ => Run(onDue), null, due, Timeout.InfiniteTimeSpan);

    void IRingMaintenanceContext.Raise(DhtEventKind kind, string message, ulong? remotePeerId, FailureEvidence? evidence) =>
        Raise(kind, message, remotePeerId, evidence);

    void IRingMaintenanceContext.RouteJoin(JoinRequest request) => _router.RouteJoin(request);

    DhtPeer IRingMaintenanceContext.PublishSnapshot()
    {
        PublishSnapshot();
        return Snapshot;
    }

    void IRingMaintenanceContext.StopPinging()
    {
        StopPinging();
        _detector.Stop();
    }
}
