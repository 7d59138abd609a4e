using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// Chord's fix_fingers, once per ping round and at most one request per round: the fingers the successor list covers
/// are copied from it, and one other finger is refreshed. An unknown finger is looked up (a lookup of its start);
/// a known one is only checked, by asking it for its neighbours: it is still right while it answers and its
/// predecessor lies before the finger's start. That keeps the steady cost to one small request per round, where a
/// lookup would cost one per hop. Fingers are refreshed in rising order, so a fresh ring fills them bottom up, each
/// lookup riding on the fingers the round before filled. A finger that fails to take a lookup or to answer, or a
/// successor declared dead, is dropped at once and looked up again.
/// </summary>
public sealed partial class PeerNode
{
    private readonly FingerTable _fingers;

    /// <summary>The finger the next round refreshes.</summary>
    private int _nextFinger;

    private bool _refreshingFinger;

    private void RefreshFingers()
    {
        var successors = LiveSuccessors();
        var covered = _fingers.Seed(successors);
        if (!_options.MaintainFingers || _refreshingFinger || successors.Count == 0 || covered == Space.Bits)
            return;
        var index = _nextFinger < covered || _nextFinger >= Space.Bits ? covered : _nextFinger;
        if (CurrentPredecessors().FirstOrDefault() is { } predecessor && Space.InHalfOpen(_fingers.StartOf(index), predecessor.Id, Id))
        {
            // This peer's own range (a small ring wraps round to it): no need to ask anyone.
            _nextFinger = _fingers.Learn(index, Contact);
            return;
        }
        _refreshingFinger = true;
        if (_fingers.Entries[index] is { } finger && finger.Id != Id)
            CheckFinger(index, finger);
        else
            LookUpFinger(index);
    }

    private void LookUpFinger(int index) =>
        StartLookup(_fingers.StartOf(index), _options.RequestTimeout * 2, answer =>
        {
            _refreshingFinger = false;
            _nextFinger = answer is { Outcome: LookupOutcome.Owner } ? _fingers.Learn(index, answer.Sender) : index + 1;
        });

    /// <summary>
    /// A peer that joined between the finger's start and the finger shows up as the finger's predecessor: it is
    /// closer, so it is taken, and checked in turn next round. The fingers that share this one are confirmed with it.
    /// </summary>
    private void CheckFinger(int index, PeerContact finger) =>
        Ask(finger, NeighborsQuery(), reply =>
        {
            _refreshingFinger = false;
            if (reply.Message is not NeighborsResponse neighbors)
            {
                _fingers.Forget(finger.Id);
                _nextFinger = index; // Looked up next round.
                return;
            }
            var start = _fingers.StartOf(index);
            if (neighbors.Predecessors.FirstOrDefault() is { } before && Space.InOpen(before.Id, Space.Reduce(start - 1), finger.Id))
            {
                _fingers.Learn(index, before);
                _nextFinger = index;
                return;
            }
            _nextFinger = index + 1;
            while (_nextFinger < Space.Bits && _fingers.Entries[_nextFinger] == finger)
                _nextFinger++;
        });
}
