using DhtPs.Core.Protocol;

namespace DhtPs.Core.Peer;

/// <summary>
/// The one place where what failure detection piggybacks (docs/protocol.md 5.8) is taken in: every ping, pong and
/// neighbour answer that passed the ingest point, before the component it is for sees it.
/// </summary>
public sealed partial class PeerNode
{
    private void AbsorbGossip(Message message)
    {
        if (message is not ILivenessGossip gossip)
            return;
        _neighborhood.HeardIncarnation(message.Sender.Id, gossip.Incarnation);
        if (message is NeighborsResponse { Incarnations: { } listed })
        {
            foreach (var peer in listed)
                _neighborhood.HeardIncarnation(peer.Id, peer.Incarnation);
        }
        foreach (var death in gossip.Deaths ?? [])
        {
            if (death.Id == Id)
                _detector.Refute(death.Incarnation);
            else
                _neighborhood.HeardDeath(death.Id, death.Incarnation, Time.GetUtcNow());
        }
    }
}
