using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// Chord's fix_fingers, once per ping round: the fingers the successor list covers are copied from it, and at most
/// one other finger is refreshed by a lookup of its start (so a small ring pays one small request per round).
/// Fingers are refreshed in rising order: a fresh ring fills them bottom up, each lookup riding on the fingers the
/// round before filled, so even the first ones take few hops. A finger that fails to take a lookup, or a successor
/// declared dead, is dropped at once; one that moved is corrected on the next pass.
/// </summary>
public sealed partial class PeerNode
{
    private FingerTable _fingers = null!;

    /// <summary>The finger the next refresh looks up.</summary>
    private int _nextFinger;

    private bool _refreshingFinger;

    private void RefreshFingers()
    {
        var successors = LiveSuccessors();
        var covered = _fingers.Seed(successors);
        if (!_options.MaintainFingers || _refreshingFinger || successors.Count == 0 || covered == Space.Bits)
            return;
        var index = _nextFinger < covered || _nextFinger >= Space.Bits ? covered : _nextFinger;
        _refreshingFinger = true;
        StartLookup(_fingers.StartOf(index), _options.RequestTimeout * 2, answer =>
        {
            _refreshingFinger = false;
            _nextFinger = answer is { Outcome: LookupOutcome.Owner } ? _fingers.Learn(index, answer.Sender) : index + 1;
        });
    }
}
