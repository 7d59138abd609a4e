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

    /// <summary>
    /// SPEC §5, at a predecessor: the departing successor's successors take its place — once the departing peer,
    /// asked at the contact this peer knows for it, does not answer as a running peer (issue 17: anyone can send a
    /// notice). A departing peer says it is departing; a gone one does not answer; a live one refutes the notice.
    /// </summary>
    /// <param name="reply">Called once on the logical thread, after the check: the departing peer waits for it, so the ring is whole when it stops.</param>
    public void HandleDepartureNotice(DepartureNotice notice, Action<Message> reply)
    {
        var departing = notice.Sender.Id;
        if (_neighborhood.Successors.FirstOrDefault(s => s.Id == departing) is not { } known)
        {
            reply(Ack()); // Not a successor of this peer (any more): nothing to take over.
            return;
        }
        Ask(known, NeighborsQuery(), answer =>
        {
            if (answer.Message is NeighborsResponse)
            {
                var refuted = $"Ignored a departure notice for Peer {departing}: it answers at {known.EndPoint} and is not leaving";
                _context.Raise(DhtEventKind.DepartureNoticeRefuted, refuted, departing);
                reply(Refuse(ErrorCode.Invalid, refuted));
                return;
            }
            if (_neighborhood.Lists(departing))
            {
                _context.Raise(DhtEventKind.DepartureNoticeReceived, $"Peer {departing} will depart from the network", departing);
                // The notice's list is hearsay too: a peer held dead stays out of it (chaos seed 182 at 64 peers, 3 copies).
                _neighborhood.SetSuccessors(ComposeFromHearsay([.. _neighborhood.Successors.Concat(notice.Successors).Where(s => s.Id != departing)]));
                AnnounceSuccessors();
            }
            reply(Ack());
        });
    }
}
