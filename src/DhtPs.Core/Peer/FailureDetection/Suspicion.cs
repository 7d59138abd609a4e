using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// Lifeguard's suspicion timeout, as this detector uses it for the wait of the question over TCP that ends a suspicion
/// (docs/protocol.md 5.5 step 3): the wait starts at a maximum of <see cref="Beta"/> × log10(N) times the confirmed wait
/// and falls, with the logarithm of the independent confirmations (helpers' nacks, other peers' deaths of the suspect),
/// to the confirmed wait once every confirmation expected has come. N is estimated from the successor list.
/// Lifeguard scales with log N because the more members there are, the longer a suspicion takes to reach the suspect
/// so that it can refute it; here the suspect is asked directly, so only the unconfirmed wait grows with N.
/// </summary>
public static class Suspicion
{
    /// <summary>How many times the confirmed wait an unconfirmed suspicion waits, per decade of ring size (Lifeguard's β; memberlist uses 6 over a 4 × log10 N base).</summary>
    public const double Beta = 3;

    /// <summary>
    /// The ring's size as the successor list spreads over the id space (Chord's own estimate): r successors cover about r/N
    /// of it. At least r + 1, and 1 with no successor.
    /// </summary>
    public static double EstimateRingSize(IdSpace space, ulong self, IReadOnlyList<ulong> successors)
    {
        if (successors.Count == 0)
            return 1;
        var covered = (double)space.Distance(self, successors[^1]);
        var size = (double)space.MaxId + 1;
        return covered <= 0 ? successors.Count + 1 : Math.Max(successors.Count + 1, successors.Count * size / covered);
    }

    /// <summary>
    /// The wait for a suspect confirmed <paramref name="confirmations"/> times of the <paramref name="expected"/>
    /// confirmations that could come: <paramref name="confirmed"/> once all have (or none could), up to
    /// <see cref="Beta"/> × log10(<paramref name="ringSize"/>) times that with none.
    /// </summary>
    public static TimeSpan Timeout(TimeSpan confirmed, double ringSize, int confirmations, int expected)
    {
        if (expected <= 0)
            return confirmed;
        var most = confirmed * Math.Max(1, Beta * Math.Log10(Math.Max(1, ringSize)));
        var share = Math.Log(Math.Clamp(confirmations, 0, expected) + 1) / Math.Log(expected + 1);
        var wait = most - (most - confirmed) * share;
        return wait < confirmed ? confirmed : wait;
    }
}
