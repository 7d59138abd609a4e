using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Routing;

/// <summary>
/// How often finger upkeep asks: every round while the table changes; after a whole pass over it that changed nothing,
/// it pauses for a round, then two, four, up to <paramref name="maxPauseRounds"/>, so a settled ring stops paying a
/// request per peer per round for fingers it already has (issue 12). Any change to the table (a join seen in the
/// successors, a finger that failed a request) ends the pause. Fingers are shortcuts only: a stale one costs hops.
/// </summary>
internal sealed class FingerUpkeepPace(int maxPauseRounds)
{
    private IReadOnlyList<PeerContact?>? _passStart;
    private IReadOnlyList<PeerContact?>? _pausedOn;
    private int _pause;
    private int _roundsLeft;

    /// <summary>The rounds the last quiet pass earned (0 while fingers change).</summary>
    public int Pause => _pause;

    /// <summary>A pass over the table ended with <paramref name="table"/>: a pass that changed nothing doubles the pause.</summary>
    public void PassEnded(IReadOnlyList<PeerContact?> table)
    {
        var quiet = ReferenceEquals(table, _passStart);
        _passStart = table;
        _pause = quiet ? Math.Min(Math.Max(1, _pause * 2), maxPauseRounds) : 0;
        _roundsLeft = _pause;
        _pausedOn = table;
    }

    /// <summary>Whether this round refreshes a finger; the table is copy-on-write, so a changed one is another reference.</summary>
    public bool ShouldRefresh(IReadOnlyList<PeerContact?> table)
    {
        if (_roundsLeft == 0)
            return true;
        if (!ReferenceEquals(table, _pausedOn))
        {
            (_roundsLeft, _pause, _passStart) = (0, 0, null);
            return true;
        }
        _roundsLeft--;
        return false;
    }
}
