using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// SPEC §6: a successor that misses <see cref="PeerOptions.MissedPingLimit"/> pings in a row is dead.
/// As the seed's own list of improvements asks, a suspect (one missed ping) is re-pinged at once, every
/// <see cref="ProbePeriod"/>, instead of at the next interval; those probes are silent, so the events
/// a peer raises stay the original's.
/// The list is repaired by asking the nearest live successor for its successors (for the first
/// predecessor that is the old second successor, for the second predecessor the first successor),
/// leaving out the peers known dead. When no successor is left alive (two adjacent peers gone at once),
/// the peer walks backwards along predecessors to the first live peer after the gap.
/// </summary>
public sealed partial class PeerNode
{
    /// <summary>Successors declared dead since the list was last whole; never taken back from an answer.</summary>
    private readonly HashSet<ulong> _deadSuccessors = [];

    /// <summary>A backward walk visits at most this many peers.</summary>
    private const int MaxWalkHops = 1024;

    private ITimer? _probeTimer;
    private bool _repairing;
    private bool _repairPending;

    /// <summary>Runs once per ping round, before the pings go out.</summary>
    private void DetectDeadSuccessors()
    {
        var dead = _successors
            .Where(link => link.OutstandingPing is not null && ++link.MissedPings >= _options.MissedPingLimit)
            .Select(link => link.Contact.Id)
            .ToArray();
        if (dead.Length > 0)
            DeclareDead(dead);
        else if (_repairPending)
            RepairSuccessors();
        if (_probeTimer is null && _successors.Any(link => link.MissedPings > 0))
            _probeTimer = Time.CreateTimer(_ => Run(ProbeSuspects), null, ProbePeriod, ProbePeriod);
    }

    /// <summary>The whole missed-ping budget of a suspect fits in one ping interval.</summary>
    private TimeSpan ProbePeriod => _options.PingInterval / (_options.MissedPingLimit + 1);

    private void ProbeSuspects()
    {
        if (_status is not PeerStatus.Running)
            return;
        var dead = new List<ulong>();
        for (var rank = 1; rank <= _successors.Count; rank++)
        {
            var link = _successors[rank - 1];
            if (link.MissedPings == 0 || link.OutstandingPing is null)
                continue;
            if (++link.MissedPings >= _options.MissedPingLimit)
                dead.Add(link.Contact.Id);
            else
                SendPing(link, rank);
        }
        if (dead.Count > 0)
            DeclareDead(dead);
        if (!_successors.Any(link => link.MissedPings > 0))
            StopProbing();
    }

    private void StopProbing()
    {
        _probeTimer?.Dispose();
        _probeTimer = null;
    }

    private void DeclareDead(IReadOnlyCollection<ulong> ids)
    {
        foreach (var id in ids)
        {
            if (_successors.RemoveAll(link => link.Contact.Id == id) == 0)
                continue;
            _deadSuccessors.Add(id);
            Raise(DhtEventKind.SuccessorDead, $"Peer {id} is no longer alive", id);
        }
        RepairSuccessors();
    }

    private void RepairSuccessors()
    {
        if (_repairing)
        {
            _repairPending = true;
            return;
        }
        _repairPending = false;
        _repairing = true;
        if (_successors.FirstOrDefault()?.Contact is { } nearest)
            Ask(nearest, NeighborsQuery(), reply => FinishRepair(nearest, reply));
        else
            WalkBackToGap(CurrentPredecessors().FirstOrDefault(), hops: 0);
    }

    private void FinishRepair(PeerContact answerer, Reply reply)
    {
        _repairing = false;
        if (_status is not PeerStatus.Running)
            return;
        if (reply.Message is not NeighborsResponse neighbors)
        {
            _repairPending = true; // Try again next round; if the answerer is dead too, the pings will say so.
            return;
        }
        var current = CurrentSuccessors();
        // The answer only counts if the answerer is still a successor (a departure may have replaced it meanwhile).
        IEnumerable<PeerContact> offered = current.Any(c => c.Id == answerer.Id) || current.Count == 0
            ? [answerer, .. neighbors.Successors]
            : [];
        var repaired = SuccessorList.Compose(Space, Id, [.. current, .. offered], _deadSuccessors);
        if (!repaired.Select(c => c.Id).SequenceEqual(current.Select(c => c.Id)))
        {
            SetSuccessors(repaired);
            AnnounceSuccessors();
        }
        if (repaired.Count == SuccessorList.Length)
            _deadSuccessors.Clear();
        else if (neighbors.Successors.All(s => s.Id != Id))
            _repairPending = true; // Short, yet the ring does not come back to this peer: the answerer is mid-repair itself.
    }

    /// <summary>
    /// Every successor is dead, so nobody ahead is known. Walk backwards around the ring: the first peer
    /// whose own first predecessor is gone (dead, silent, or unreachable) sits right after the gap.
    /// <paramref name="later"/> is the peer visited just before <paramref name="at"/>, with its answer.
    /// </summary>
    private void WalkBackToGap(PeerContact? at, int hops, (PeerContact Peer, Reply Reply)? later = null)
    {
        if (at is null && later is null)
        {
            // No predecessor known yet (they are learned from pings): try again next round.
            _repairing = false;
            _repairPending = true;
            return;
        }
        if (at is null || at.Id == Id || _deadSuccessors.Contains(at.Id) || hops > MaxWalkHops)
        {
            if (later is { } found)
                FinishRepair(found.Peer, found.Reply);
            else
                _repairing = false; // The only predecessor is dead too: a ring of one, which others can still join.
            return;
        }
        Ask(at, NeighborsQuery(), reply =>
        {
            if (reply.Message is NeighborsResponse neighbors)
                WalkBackToGap(neighbors.Predecessors.FirstOrDefault(), hops + 1, (at, reply));
            else if (later is { } found)
                FinishRepair(found.Peer, found.Reply);
            else
            {
                _repairing = false;
                _repairPending = true;
            }
        });
    }

    private NeighborsRequest NeighborsQuery() => new() { Sender = Contact, IdBits = Space.Bits };
}
