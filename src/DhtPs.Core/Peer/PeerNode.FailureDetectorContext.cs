using System.Net;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>The peer as the <see cref="FailureDetector"/>'s context.</summary>
public sealed partial class PeerNode : IFailureDetectorContext
{
    PeerContact IFailureDetectorContext.Self => Contact;

    IdSpace IFailureDetectorContext.Space => Space;

    DateTimeOffset IFailureDetectorContext.Now => Time.GetUtcNow();

    bool IFailureDetectorContext.IsRunning => _status is PeerStatus.Running;

    IEnumerable<PeerContact> IFailureDetectorContext.ProbeHelpers =>
        CurrentPredecessors().Concat(_router.Fingers.OfType<PeerContact>()).Concat(LiveSuccessors());

    void IFailureDetectorContext.SendDatagram(IPEndPoint to, uint sequence, Message message) => _transport.SendDatagram(to, sequence, message);

    void IFailureDetectorContext.Ask(PeerContact to, Message request, TimeSpan timeout, Action<Reply> onReply) => Ask(to, request, onReply, timeout);

    ITimer IFailureDetectorContext.StartTimer(TimeSpan due, TimeSpan period, Action onDue) =>
        Time.CreateTimer(_ => Run(onDue), null, due, period);

    void IFailureDetectorContext.Raise(DhtEventKind kind, string message, ulong? remotePeerId) => Raise(kind, message, remotePeerId);
}
