using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>
/// SPEC §6: a successor found dead is declared so (<see cref="DeclareDead"/>), and the list is repaired by asking the
/// nearest live successor for its successors (for the first predecessor that is the old second successor, for the second
/// predecessor the first successor), leaving out the peers known dead. The list never empties: when no successor is left
/// alive, the dead ones stay as candidates and are asked again each round (a false positive comes back); when none answers
/// (two adjacent peers gone at once, or this peer cut off), the peer walks backwards to the first live peer after the gap:
/// from the nearest finger that answers, else along its own predecessors, all the way round the ring.
/// </summary>
internal sealed partial class RingMaintenance
{
    /// <summary>A backward walk visits at most this many peers.</summary>
    private const int MaxWalkHops = 1024;

    /// <summary>How many of the nearest fingers are asked for a start before the walk goes round from the predecessors.</summary>
    private const int FingersAsked = 3;

    private bool _repairing;
    private bool _repairPending;

    private void RepairSuccessors()
    {
        if (_repairing)
        {
            _repairPending = true;
            return;
        }
        _repairPending = false;
        _repairing = true;
        if (LiveSuccessors().FirstOrDefault() is { } nearest)
            Ask(nearest, NeighborsQuery(), reply => FinishRepair(nearest, reply));
        else
            AskCandidates(CurrentSuccessors(), 0);
    }

    /// <summary>No live successor: the dead candidates are asked again, nearest first, before walking back.</summary>
    private void AskCandidates(IReadOnlyList<PeerContact> candidates, int index)
    {
        if (index == candidates.Count)
        {
            AskFingers(FingersAhead(candidates), 0);
            return;
        }
        var candidate = candidates[index];
        Ask(candidate, NeighborsQuery(), reply =>
        {
            if (reply.Message is not NeighborsResponse)
            {
                AskCandidates(candidates, index + 1);
                return;
            }
            _neighborhood.Vouch(candidate.Id); // It answered: it was never dead, or it is back.
            FinishRepair(candidate, reply);
        });
    }

    /// <summary>
    /// The nearest fingers past the dead candidates, not held dead themselves, nearest first. A walk back from one of them
    /// ends within the arc up to it; a walk round from the predecessors crosses the whole ring and can stop early at a peer
    /// that merely has not learned its predecessor yet (restarted, or pinged only every 30 s), splitting off a ring.
    /// </summary>
    private List<PeerContact> FingersAhead(IReadOnlyList<PeerContact> candidates)
    {
        var dead = RecentlyDead();
        return _context.Fingers
            .Where(f => f.Id != Self.Id && !dead.Contains(f.Id) && candidates.All(c => c.Id != f.Id))
            .DistinctBy(f => f.Id)
            .OrderBy(f => Space.Distance(Self.Id, f.Id))
            .Take(FingersAsked)
            .ToList();
    }

    /// <summary>No candidate answered: the walk back starts at the first of the fingers that does, or at this peer's predecessor.</summary>
    private void AskFingers(List<PeerContact> fingers, int index)
    {
        if (index == fingers.Count)
        {
            WalkBackFromPredecessors();
            return;
        }
        var finger = fingers[index];
        Ask(finger, NeighborsQuery(), reply =>
        {
            if (reply.Message is NeighborsResponse)
                ContinueWalk(finger, reply, hops: 0, later: null, fromFinger: true);
            else
                AskFingers(fingers, index + 1);
        });
    }

    private void FinishRepair(PeerContact answerer, Reply reply)
    {
        _repairing = false;
        if (Status is not PeerStatus.Running)
            return;
        if (reply.Message is not NeighborsResponse neighbors)
        {
            _repairPending = true; // Try again next round; if the answerer is dead too, the pings will say so.
            return;
        }
        var live = LiveSuccessors();
        // The answer only counts if the answerer is still a successor (a departure may have replaced it meanwhile).
        IEnumerable<PeerContact> offered = live.Any(c => c.Id == answerer.Id) || live.Count == 0
            ? [answerer, .. neighbors.Successors]
            : [];
        var repaired = ComposeSuccessors([.. live, .. offered], RecentlyDead());
        if (repaired.Count == 0)
        {
            _repairPending = true; // Nothing usable: keep the candidates and ask again next round.
            return;
        }
        if (!repaired.Select(c => c.Id).SequenceEqual(CurrentSuccessors().Select(c => c.Id)) || _neighborhood.AnyDead)
        {
            SetSuccessors(repaired);
            AnnounceSuccessors();
            Relinked?.Invoke(answerer, neighbors);
        }
        if (repaired.Count < _options.SuccessorCount && neighbors.Successors.All(s => s.Id != Self.Id))
            _repairPending = true; // Short, yet the ring does not come back to this peer: the answerer is mid-repair itself.
    }

    /// <summary>
    /// Every successor is dead, so nobody ahead is known. Walk backwards around the ring: the first peer
    /// whose own first predecessor is gone (dead, silent, or unreachable), or lies before this peer, sits right after the gap.
    /// <paramref name="later"/> is the peer visited just before <paramref name="at"/>, with its answer.
    /// <para>
    /// A walk from a finger ends only on firm evidence: a predecessor this peer holds dead, this peer itself, or one before
    /// it. A predecessor unknown or silent is as likely a partition as a gap: a peer cut off together with others would
    /// adopt them and close a ring of its own (chaos seed 122). Then the walk starts again from this peer's predecessors,
    /// which a partition leaves silent at once, so nothing is adopted until the candidates answer again.
    /// </para>
    /// </summary>
    private void WalkBackToGap(PeerContact? at, int hops, (PeerContact Peer, Reply Reply)? later = null, bool fromFinger = false)
    {
        if (at is null && later is null)
        {
            // No predecessor known yet (they are learned from pings): try again next round.
            _repairing = false;
            _repairPending = true;
            return;
        }
        if (fromFinger && at is null)
        {
            WalkBackFromPredecessors();
            return;
        }
        if (at is null || at.Id == Self.Id || RecentlyDead().Contains(at.Id) || _neighborhood.IsDeadCandidate(at.Id) || hops > MaxWalkHops)
        {
            if (later is { } found)
                FinishRepair(found.Peer, found.Reply);
            else
            {
                // Every peer this one knows of is dead: it is genuinely alone, a ring of one that others can still join.
                _repairing = false;
                _neighborhood.Clear();
            }
            return;
        }
        Ask(at, NeighborsQuery(), reply => ContinueWalk(at, reply, hops, later, fromFinger));
    }

    private void WalkBackFromPredecessors() => WalkBackToGap(CurrentPredecessors().FirstOrDefault(), hops: 0);

    /// <summary>One step of the walk back: <paramref name="at"/> answered <paramref name="reply"/>.</summary>
    private void ContinueWalk(PeerContact at, Reply reply, int hops, (PeerContact Peer, Reply Reply)? later, bool fromFinger)
    {
        if (reply.Message is NeighborsResponse neighbors)
        {
            var before = neighbors.Predecessors.FirstOrDefault();
            if (before is not null && Space.InOpen(Self.Id, before.Id, at.Id))
                FinishRepair(at, reply); // This peer belongs between that one and its predecessor: the way back in.
            else
                WalkBackToGap(before, hops + 1, (at, reply), fromFinger);
        }
        else if (fromFinger)
            WalkBackFromPredecessors();
        else if (later is { } found)
            FinishRepair(found.Peer, found.Reply);
        else
        {
            _repairing = false;
            _repairPending = true;
        }
    }
}
