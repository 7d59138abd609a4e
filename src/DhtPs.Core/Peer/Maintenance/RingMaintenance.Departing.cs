using DhtPs.Core.Protocol;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>SPEC §5: a graceful departure tells both predecessors the departing peer's successors.</summary>
internal sealed partial class RingMaintenance
{
    /// <summary>
    /// Stops pinging and tells every predecessor this peer's successors; the task completes once each has answered
    /// (each bounded by <see cref="PeerOptions.RequestTimeout"/>). Nothing is said when the peer is not running.
    /// </summary>
    public Task Depart()
    {
        if (Status is not PeerStatus.Running)
            return Task.CompletedTask;
        _context.Status = PeerStatus.Departing;
        _context.StopPinging();
        var notice = new DepartureNotice { Sender = Self, IdBits = Space.Bits, Successors = _neighborhood.Successors };
        return Task.WhenAll(_neighborhood.Predecessors
            .Where(p => p.Id != Self.Id)
            .DistinctBy(p => p.Id)
            .Select(p => _context.SendAsync(p, notice)));
    }

    /// <summary>SPEC §5, at a predecessor: the departing successor's successors take its place.</summary>
    public Message HandleDepartureNotice(DepartureNotice notice)
    {
        var departing = notice.Sender.Id;
        if (!_neighborhood.Lists(departing))
            return Ack(); // Not a successor of this peer (any more): nothing to take over.
        _context.Raise(DhtEventKind.DepartureNoticeReceived, $"Peer {departing} will depart from the network", departing);
        _neighborhood.SetSuccessors(ComposeSuccessors([.. _neighborhood.Successors, .. notice.Successors], new HashSet<ulong> { departing }));
        AnnounceSuccessors();
        return Ack();
    }
}
