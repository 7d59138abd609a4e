using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Routing;

/// <summary>
/// What the <see cref="Router"/> needs of the peer it runs in. Every member is used only on the peer's logical
/// thread, and every callback it is given runs there too, so a fake context drives the router alone in a test.
/// </summary>
internal interface IRouterContext
{
    PeerContact Self { get; }

    IdSpace Space { get; }

    /// <summary>The live successors, nearest first; while none is known alive, the dead candidates (they may be back).</summary>
    IReadOnlyList<PeerContact> RoutingSuccessors { get; }

    /// <summary>The first predecessor learned from pings, if any.</summary>
    PeerContact? FirstPredecessor { get; }

    /// <summary>The peer's clock: forwards are timed by it.</summary>
    TimeProvider Time { get; }

    /// <summary>Sends a request; <paramref name="onReply"/> runs later on the logical thread with the checked answer, or the failure after <paramref name="timeout"/>.</summary>
    void Ask(PeerContact to, Message request, TimeSpan timeout, Action<Reply> onReply);

    /// <summary>A one-shot timer whose <paramref name="onDue"/> runs on the logical thread.</summary>
    ITimer StartTimer(TimeSpan due, Action onDue);

    void Raise(DhtEventKind kind, string message, ulong? remotePeerId);

    /// <summary>A store or file request has reached the owner of its key: this peer.</summary>
    void FileRequestArrived(RoutedFileRequest request);

    /// <summary>A join request has reached the peer it belongs after (<see cref="JoinVerdict.Accept"/>), or names a taken id.</summary>
    void JoinArrived(JoinRequest request, JoinVerdict verdict);

    /// <summary>A join request could be passed to nobody: the joiner is told.</summary>
    void JoinUnroutable(JoinRequest request, string reason);
}
