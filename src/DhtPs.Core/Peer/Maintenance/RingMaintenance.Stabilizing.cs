using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>
/// Chord's stabilize with Zave's corrections, once per ping round: ask the first live successor for its
/// predecessor and successors. A predecessor of it that lies between this peer and it is adopted as first
/// successor only once that node answers itself; the rest of the list is refreshed from the answer. This is
/// what brings back a peer wrongly declared dead, re-integrates a restarted one, and repairs what a lost
/// message left wrong. (The rank-1 ping is the notify: see <see cref="Neighborhood.HeardPing"/>.)
/// A change is applied only when two rounds in a row propose it: the explicit SPEC messages (join, successor
/// change, departure, a death seen through pings) arrive well within a round, so they always win, with their
/// exact events, and stabilization stays silent when it merely confirms them.
/// </summary>
internal sealed partial class RingMaintenance
{
    private bool _stabilizing;

    /// <summary>The successor ids the previous round proposed; null when it proposed no change.</summary>
    private ulong[]? _proposal;

    /// <summary>The peers held dead that a neighbour offered and that are being asked themselves now.</summary>
    private readonly HashSet<ulong> _askingWithheld = [];

    private void Stabilize()
    {
        if (Status is not PeerStatus.Running || _repairing || _stabilizing)
            return;
        if (_neighborhood.FirstLiveSuccessor is not { } successor)
            return; // Nobody live ahead: repair is asking the candidates.
        _stabilizing = true;
        Ask(successor, NeighborsQuery(), reply =>
        {
            if (reply.Message is not NeighborsResponse neighbors || !IsFirstLiveSuccessor(successor))
            {
                Propose(null);
                return;
            }
            IReadOnlyList<PeerContact> refreshed = [successor, .. neighbors.Successors];
            if (Between(neighbors) is { } between)
                AdoptCloser(successor, between, hops: 0, otherwise: refreshed);
            else
                Propose(refreshed);
        });
    }

    /// <summary>The first predecessor an answer names, when it lies strictly between this peer and the answerer.</summary>
    private PeerContact? Between(NeighborsResponse neighbors) =>
        neighbors.Predecessors.FirstOrDefault() is { } before && Space.InOpen(before.Id, Self.Id, neighbors.Sender.Id) ? before : null;

    /// <summary>
    /// Zave: a closer successor is adopted only once it answers itself. Its own predecessor may be closer still
    /// (several peers came back at once), so the chase goes on backwards while each one answers.
    /// </summary>
    private void AdoptCloser(PeerContact successor, PeerContact closer, int hops, IReadOnlyList<PeerContact>? otherwise)
    {
        Ask(closer, NeighborsQuery(), answer =>
        {
            if (answer.Message is not NeighborsResponse neighbors || !IsFirstLiveSuccessor(successor))
            {
                Propose(IsFirstLiveSuccessor(successor) ? otherwise : null);
                return;
            }
            _neighborhood.Vouch(closer.Id); // It answered: it is alive, whatever was declared.
            var previous = _neighborhood.SuccessorIds();
            // The closer peer's list is hearsay, and a peer restarted from its command line offers its init successors
            // however long ago they died (chaos seeds 11 and 98 at 64 peers, 3 copies): every peer held dead stays out.
            SetSuccessors(ComposeFromHearsay([closer, .. neighbors.Successors, .. LiveSuccessors()]));
            AnnounceChangedSuccessors(previous);
            Relinked?.Invoke(closer, neighbors);
            if (Between(neighbors) is { } closerStill && hops < MaxWalkHops)
                AdoptCloser(closer, closerStill, hops + 1, otherwise: null);
            else
                Propose(null);
        });
    }

    /// <summary>
    /// A neighbour's list is hearsay: a peer it offers that this one holds dead (at the incarnation it offers, or at one
    /// it does not give) is left out. Yet a death declared across a partition, or told on by others, may be wrong, and
    /// the peer may never hear of it to refute it: so each such peer that would belong in the list is asked itself, and
    /// one that answers is alive — vouched for, and taken at the next round. A dead one cannot answer. Every list made
    /// of others' lists goes through here: stabilization's proposal, the closer peer it adopts, a departure notice's.
    /// </summary>
    private IReadOnlyList<PeerContact> ComposeFromHearsay(IReadOnlyList<PeerContact> candidates)
    {
        var gone = _neighborhood.HeldDead(_context.Now);
        var composed = ComposeSuccessors(candidates, gone);
        AskWithheld(candidates, gone);
        return composed;
    }

    private void AskWithheld(IEnumerable<PeerContact> candidates, IReadOnlySet<ulong> gone)
    {
        if (gone.Count == 0)
            return;
        foreach (var withheld in ComposeSuccessors(candidates).Where(c => gone.Contains(c.Id) && _askingWithheld.Add(c.Id)))
        {
            Ask(withheld, NeighborsQuery(), reply =>
            {
                _askingWithheld.Remove(withheld.Id);
                if (reply.Message is NeighborsResponse)
                    _neighborhood.Vouch(withheld.Id);
            });
        }
    }

    private bool IsFirstLiveSuccessor(PeerContact successor) =>
        _neighborhood.FirstLiveSuccessor?.Id == successor.Id;

    /// <summary>Applies the list <paramref name="candidates"/> make once the previous round proposed the same.</summary>
    private void Propose(IReadOnlyList<PeerContact>? candidates)
    {
        _stabilizing = false;
        var current = _neighborhood.SuccessorIds();
        var proposed = candidates is null || Status is not PeerStatus.Running || _repairing
            ? null
            : ComposeFromHearsay(candidates);
        if (proposed is null || proposed.Count == 0 || proposed.Select(c => c.Id).SequenceEqual(current))
        {
            _proposal = null;
            return;
        }
        var ids = proposed.Select(c => c.Id).ToArray();
        if (_proposal is null || !_proposal.SequenceEqual(ids))
        {
            _proposal = ids;
            return;
        }
        _proposal = null;
        SetSuccessors(proposed);
        AnnounceChangedSuccessors(current);
    }
}
