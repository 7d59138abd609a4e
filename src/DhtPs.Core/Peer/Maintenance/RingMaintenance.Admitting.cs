using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>
/// SPEC §4, the ring's side of a join: a join request is routed (<see cref="Routing.Router.RouteJoin"/>) until it
/// reaches the peer after which the joiner belongs; that peer takes it in and tells its own first predecessor.
/// </summary>
internal sealed partial class RingMaintenance
{
    /// <summary>Join requests that reached this peer while it was itself joining; handled once it knows its place.</summary>
    private readonly Queue<JoinRequest> _deferredJoins = new();

    public Message HandleJoinRequest(JoinRequest request)
    {
        switch (Status)
        {
            case PeerStatus.Joining:
                _deferredJoins.Enqueue(request);
                return Ack();
            case not PeerStatus.Running:
                return Refuse(ErrorCode.NotRunning, $"Peer {Self.Id} is {Status} and takes no joins.");
        }
        _context.RouteJoin(request);
        return Ack();
    }

    /// <summary>
    /// Takes the joiner in as first successor, tells the first predecessor (SPEC §4), and sends the joiner
    /// its successors. A joiner that cannot be told is handled like a successor that died.
    /// </summary>
    public void AcceptJoin(PeerContact joiner)
    {
        _context.Raise(DhtEventKind.JoinRequestReceived, $"Peer {joiner.Id} Join request received", joiner.Id);
        _neighborhood.Vouch(joiner.Id);
        var previous = _neighborhood.Successors;
        _neighborhood.SetSuccessors(ComposeSuccessors([joiner, .. previous]));
        AnnounceSuccessors();
        if (previous.Count == 0)
            _neighborhood.SetFirstPredecessor(joiner, _context.Now); // A ring of two: the joiner is also the predecessor.

        var predecessors = _neighborhood.Predecessors;
        if (predecessors.FirstOrDefault() is { } first && first.Id != joiner.Id)
            Ask(first, new SuccessorChange { Sender = Self, IdBits = Space.Bits, Successors = [Self, .. _neighborhood.Successors] }, _ => { });

        var accepted = new JoinAccepted
        {
            Sender = Self, IdBits = Space.Bits,
            Successors = SuccessorList.ForJoiner(Space, joiner, Self, previous, _options.SuccessorCount),
            Predecessors = predecessors.Where(p => p.Id != joiner.Id).ToArray(),
        };
        Ask(joiner, accepted, reply =>
        {
            if (reply.Message is not Acknowledgement)
                DeclareDead([joiner.Id]);
        });
    }

    /// <summary>The joiner's id is taken in the ring: it is told so.</summary>
    public void RefuseTakenId(PeerContact joiner) => TellJoiner(joiner, ErrorCode.IdTaken, $"Peer id {joiner.Id} is already taken in the ring.");

    /// <summary>The join request could be passed to nobody: the joiner is told why.</summary>
    public void RefuseUnroutable(PeerContact joiner, string reason) => TellJoiner(joiner, ErrorCode.Unreachable, reason);

    private void TellJoiner(PeerContact joiner, ErrorCode code, string reason) =>
        Ask(joiner, new JoinRefused { Sender = Self, IdBits = Space.Bits, Code = code, Reason = reason }, _ => { });

    /// <summary>
    /// SPEC §4, at the accepting peer's first predecessor: its first successor now has the joiner after it.
    /// When another peer has joined between this one and the acceptor meanwhile, the change is passed
    /// on to it: it is the acceptor's real first predecessor. The change itself is only news (issue 17: anyone can
    /// send one, naming any contact): the list taken is the one the first successor gives, asked at its known contact.
    /// </summary>
    /// <param name="reply">Called once on the logical thread: after the first successor answered, or at once when nothing is to be checked.</param>
    public void HandleSuccessorChange(SuccessorChange change, Action<Message> reply)
    {
        var acceptor = change.Successors.FirstOrDefault();
        _context.Raise(DhtEventKind.SuccessorChangeReceived, "Successor Change request received", acceptor?.Id);
        if (acceptor is null || _neighborhood.FirstSuccessor is not { } first)
        {
            reply(Ack()); // A peer with no successor is no acceptor's predecessor: it rejoins by repair.
            return;
        }
        if (first.Id != acceptor.Id)
        {
            if (Space.InOpen(first.Id, Self.Id, acceptor.Id))
                Ask(first, change with { Sender = Self }, _ => { });
            reply(Ack());
            return;
        }
        if (acceptor != first)
            _context.Raise(DhtEventKind.SuccessorChangeRefuted,
                $"Peer {first.Id} is at {first.EndPoint}, not at {acceptor.EndPoint}: asking it there for its successors", first.Id);
        Ask(first, NeighborsQuery(), answer =>
        {
            if (answer.Message is NeighborsResponse neighbors && _neighborhood.FirstSuccessor == first)
                TakeSuccessorsOf(first, neighbors.Successors);
            reply(Ack());
        });
    }

    /// <summary>The first successor said its own successors: this peer's list follows from them.</summary>
    private void TakeSuccessorsOf(PeerContact first, IReadOnlyList<PeerContact> itsSuccessors)
    {
        var successors = ComposeSuccessors([first, .. itsSuccessors]);
        foreach (var vouched in successors)
            _neighborhood.Vouch(vouched.Id); // A peer the acceptor vouches for is back.
        _neighborhood.SetSuccessors(successors);
        AnnounceSuccessors();
    }

    private void HandleDeferredJoins()
    {
        while (Status is PeerStatus.Running && _deferredJoins.TryDequeue(out var request))
            _context.RouteJoin(request);
    }
}
