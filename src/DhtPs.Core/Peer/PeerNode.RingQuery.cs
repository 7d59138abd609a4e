using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Peer;

/// <summary>Answering "who are your neighbours?" and walking the ring over the network (Get-DhtRing).</summary>
public sealed partial class PeerNode
{
    /// <summary>Walks the ring along first successors, starting at <paramref name="start"/> (this peer when null).</summary>
    /// <param name="timeout">How long each member may take to answer; the peer's request timeout when null.</param>
    public Task<RingWalk> WalkRingAsync(IPEndPoint? start = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Measured("walk", RingWalker.WalkAsync(_transport, Contact, Space, start ?? Contact.ToEndPoint(), timeout ?? _options.RequestTimeout, cancellationToken), _ => null);

    /// <summary>A departing peer is no longer a member: nobody must adopt it from its answer.</summary>
    private Message HandleNeighborsRequest() => _status is PeerStatus.Departing
        ? Refuse(ErrorCode.NotRunning, $"Peer {Id} is departing from the network.")
        : new NeighborsResponse
        {
            Sender = Contact,
            IdBits = Space.Bits,
            Successors = CurrentSuccessors(),
            Predecessors = CurrentPredecessors(),
        };
}
