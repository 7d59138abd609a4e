using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>Answering "who are your neighbours?" and walking the ring over the network (Get-DhtRing).</summary>
public sealed partial class PeerNode
{
    /// <summary>Walks the ring along first successors, starting at <paramref name="start"/> (this peer when null).</summary>
    /// <param name="timeout">How long each member may take to answer; the peer's request timeout when null.</param>
    public Task<RingWalk> WalkRingAsync(IPEndPoint? start = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Measured("walk", RingWalker.WalkAsync(_transport, Contact, Space, start ?? Contact.ToEndPoint(), timeout ?? _options.RequestTimeout, cancellationToken), _ => null);

    /// <summary>Asks the member at <paramref name="member"/> a question of Test-DhtRing's (over this peer's connections), as this peer.</summary>
    public Task<Message> AskMemberAsync(IPEndPoint member, Func<PeerContact, Message> request, TimeSpan timeout, CancellationToken cancellationToken) =>
        _transport.RequestAsync(member, request(Contact), timeout, cancellationToken);

    /// <summary>A departing peer is no longer a member: nobody must adopt it from its answer.</summary>
    /// <summary>The answer carries this peer's incarnation, the deaths it holds and the incarnations of the peers it lists (docs/protocol.md 5.8).</summary>
    private Message HandleNeighborsRequest()
    {
        if (_status is PeerStatus.Departing)
            return Refuse(ErrorCode.NotRunning, $"Peer {Id} is departing from the network.");
        var (successors, predecessors) = (CurrentSuccessors(), CurrentPredecessors());
        return new NeighborsResponse
        {
            Sender = Contact,
            IdBits = Space.Bits,
            Successors = successors,
            Predecessors = predecessors,
            Incarnation = _detector.Incarnation,
            Deaths = _neighborhood.DeathsToGossip(Time.GetUtcNow()),
            Incarnations = _neighborhood.IncarnationsOf([.. successors, .. predecessors]),
        };
    }
}
