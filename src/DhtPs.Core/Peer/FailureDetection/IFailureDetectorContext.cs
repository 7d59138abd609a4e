using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// What the <see cref="FailureDetector"/> needs of the peer it runs in. Every member is used only on the peer's logical
/// thread, and every callback it is given runs there too, so a fake context drives the detector alone in a test.
/// </summary>
internal interface IFailureDetectorContext
{
    PeerContact Self { get; }

    IdSpace Space { get; }

    DateTimeOffset Now { get; }

    /// <summary>False once the peer joins, departs or stops: probes stop counting then.</summary>
    bool IsRunning { get; }

    /// <summary>
    /// Peers that may ping a suspect for this one (SWIM's indirect probes), best first: its live predecessors, fingers and
    /// live successors. May name the suspect or this peer itself; the detector leaves those out.
    /// </summary>
    IEnumerable<PeerContact> ProbeHelpers { get; }

    /// <summary>Sends one UDP datagram (a ping, or the pong answering one under the ping's sequence number).</summary>
    void SendDatagram(IPEndPoint to, uint sequence, Message message);

    /// <summary>Asks over TCP; <paramref name="onReply"/> runs later on the logical thread, after at most <paramref name="timeout"/>.</summary>
    void Ask(PeerContact to, Message request, TimeSpan timeout, Action<Reply> onReply);

    /// <summary>A periodic timer whose <paramref name="onDue"/> runs on the logical thread.</summary>
    ITimer StartTimer(TimeSpan due, TimeSpan period, Action onDue);

    void Raise(DhtEventKind kind, string message, ulong? remotePeerId);
}
