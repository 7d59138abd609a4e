using DhtPs.Core.Peer.Routing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>The peer as the <see cref="Router"/>'s context: what it may ask of the rest of the peer, and where arrivals go.</summary>
public sealed partial class PeerNode : IRouterContext
{
    PeerContact IRouterContext.Self => Contact;

    IdSpace IRouterContext.Space => Space;

    IReadOnlyList<PeerContact> IRouterContext.RoutingSuccessors => RoutingSuccessors();

    PeerContact? IRouterContext.FirstPredecessor => _neighborhood.FirstPredecessor;

    TimeProvider IRouterContext.Time => Time;

    void IRouterContext.Ask(PeerContact to, Message request, TimeSpan timeout, Action<Reply> onReply) => Ask(to, request, onReply, timeout);

    ITimer IRouterContext.StartTimer(TimeSpan due, Action onDue) =>
        Time.CreateTimer(_ => Run(onDue), null, due, Timeout.InfiniteTimeSpan);

    void IRouterContext.Raise(DhtEventKind kind, string message, ulong? remotePeerId) => Raise(kind, message, remotePeerId);

    void IRouterContext.FileRequestArrived(RoutedFileRequest request) => _fileService.ServeAsOwner(request);

    void IRouterContext.JoinArrived(JoinRequest request, JoinVerdict verdict)
    {
        if (verdict is JoinVerdict.Accept)
            _maintenance.AcceptJoin(request.Joiner);
        else
            _maintenance.RefuseTakenId(request.Joiner);
    }

    void IRouterContext.JoinUnroutable(JoinRequest request, string reason) => _maintenance.RefuseUnroutable(request.Joiner, reason);

    /// <summary>The live successors; while none is known alive, the dead candidates (they may be back).</summary>
    private IReadOnlyList<PeerContact> RoutingSuccessors() =>
        LiveSuccessors() is { Count: > 0 } live ? live : CurrentSuccessors();
}
