using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// SPEC §4, the ring's side of a join: a join request is routed (<see cref="Routing.Router.RouteJoin"/>) until it
/// reaches the peer after which the joiner belongs; that peer takes it in and tells its own first predecessor.
/// </summary>
public sealed partial class PeerNode
{
    /// <summary>Join requests that reached this peer while it was itself joining; handled once it knows its place.</summary>
    private readonly Queue<JoinRequest> _deferredJoins = new();

    private Message HandleJoinRequest(JoinRequest request)
    {
        switch (_status)
        {
            case PeerStatus.Joining:
                _deferredJoins.Enqueue(request);
                return Ack();
            case not PeerStatus.Running:
                return Refuse(ErrorCode.NotRunning, $"Peer {Id} is {_status} and takes no joins.");
        }
        _router.RouteJoin(request);
        return Ack();
    }

    /// <summary>
    /// Takes the joiner in as first successor, tells the first predecessor (SPEC §4), and sends the joiner
    /// its successors. A joiner that cannot be told is handled like a successor that died.
    /// </summary>
    private void AcceptJoin(PeerContact joiner)
    {
        Raise(DhtEventKind.JoinRequestReceived, $"Peer {joiner.Id} Join request received", joiner.Id);
        _neighborhood.Vouch(joiner.Id);
        var previous = CurrentSuccessors();
        SetSuccessors(ComposeSuccessors([joiner, .. previous]));
        AnnounceSuccessors();
        if (previous.Count == 0)
            _neighborhood.SetFirstPredecessor(joiner, Time.GetUtcNow()); // A ring of two: the joiner is also the predecessor.

        var predecessors = CurrentPredecessors();
        if (predecessors.FirstOrDefault() is { } first && first.Id != joiner.Id)
            Ask(first, new SuccessorChange { Sender = Contact, IdBits = Space.Bits, Successors = [Contact, .. CurrentSuccessors()] }, _ => { });

        var accepted = new JoinAccepted
        {
            Sender = Contact, IdBits = Space.Bits,
            Successors = SuccessorList.ForJoiner(Space, joiner, Contact, previous, _options.SuccessorCount),
            Predecessors = predecessors.Where(p => p.Id != joiner.Id).ToArray(),
        };
        Ask(joiner, accepted, reply =>
        {
            if (reply.Message is not Acknowledgement)
                DeclareDead([joiner.Id]);
        });
    }

    private void TellJoiner(PeerContact joiner, JoinRefused refusal) => Ask(joiner, refusal, _ => { });

    /// <summary>
    /// SPEC §4, at the accepting peer's first predecessor: its first successor now has the joiner after it.
    /// When another peer has joined between this one and the acceptor meanwhile, the change is passed
    /// on to it: it is the acceptor's real first predecessor.
    /// </summary>
    private Message HandleSuccessorChange(SuccessorChange change)
    {
        var acceptor = change.Successors.FirstOrDefault();
        Raise(DhtEventKind.SuccessorChangeReceived, "Successor Change request received", acceptor?.Id);
        if (acceptor is null)
            return Ack();
        if (_neighborhood.FirstSuccessor is { } first && first.Id != acceptor.Id)
        {
            if (Space.InOpen(first.Id, Id, acceptor.Id))
                Ask(first, change with { Sender = Contact }, _ => { });
            return Ack();
        }
        var successors = ComposeSuccessors(change.Successors);
        foreach (var vouched in successors)
            _neighborhood.Vouch(vouched.Id); // A peer the acceptor vouches for is back.
        SetSuccessors(successors);
        AnnounceSuccessors();
        return Ack();
    }

    private void HandleDeferredJoins()
    {
        while (_status is PeerStatus.Running && _deferredJoins.TryDequeue(out var request))
            _router.RouteJoin(request);
    }
}
