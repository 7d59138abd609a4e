using DhtPs.Core.Peer;

namespace DhtPs.Simulation.Invariants;

/// <summary>
/// Issue 13's rule, "a dead peer, once declared, is never again taken as a successor at the same incarnation", checked
/// on what the peers say: each time a peer announces as its successor ("My new second successor is Peer 80") a peer
/// it declared dead ("Peer 80 is no longer alive") that is still down and has not been restarted since, that is one
/// readoption. A peer that came back (restarted, a new incarnation) or was never down (a false positive) may be taken back.
/// </summary>
public sealed class DeadPeerReadoptions
{
    /// <summary>Who declared whom dead, when, and at which of the dead one's incarnations (<see cref="SimulatedPeer.Starts"/>).</summary>
    private readonly Dictionary<(ulong Peer, ulong Dead), (TimeSpan At, int Incarnation)> _declared = [];
    private readonly List<Readoption> _found = [];

    public IReadOnlyList<Readoption> Found => _found;

    public int Count => _found.Count;

    /// <summary>
    /// One event, as it is raised; <paramref name="stateOf"/> says whether a peer's process runs now and how often it
    /// has been started (null: not a peer of this run).
    /// </summary>
    public void Observe(DhtEvent raised, TimeSpan at, Func<ulong, (bool Up, int Incarnation)?> stateOf)
    {
        if (raised.RemotePeerId is not { } other || stateOf(other) is not { } state)
            return;
        var pair = (raised.PeerId, other);
        switch (raised.Kind)
        {
            case DhtEventKind.SuccessorDead when state.Up:
                // Up as it is declared: a false positive, or a verdict on the incarnation before a restart (chaos seed 120
                // at 64 peers, 3 copies: restarted 90 ms before the verdict). Either may be taken back.
                _declared.Remove(pair);
                break;
            case DhtEventKind.SuccessorDead:
                _declared[pair] = (at, state.Incarnation);
                break;
            case DhtEventKind.SuccessorChanged when _declared.TryGetValue(pair, out var declared):
                if (!state.Up && state.Incarnation == declared.Incarnation)
                    _found.Add(new Readoption(raised.PeerId, other, declared.At, at, raised.Message));
                else
                    _declared.Remove(pair); // it came back: a new start, or it was never down
                break;
        }
    }

    /// <summary>The rule as a violation, for the runner's checks; none when nothing was taken back.</summary>
    public IEnumerable<InvariantViolation> Violations() => _found.Take(1).Select(first => new InvariantViolation("DeadStaysDead",
        $"{first}{(_found.Count > 1 ? $" (and {_found.Count - 1} more readoption(s))" : "")}"));
}

/// <summary>Peer <see cref="Peer"/> took back <see cref="Dead"/>, which it had declared dead and which is still down.</summary>
public sealed record Readoption(ulong Peer, ulong Dead, TimeSpan DeclaredAt, TimeSpan TakenBackAt, string Message)
{
    public override string ToString() =>
        $"peer {Peer} declared peer {Dead} dead at t={DeclaredAt.TotalSeconds:0.000} s, and at t={TakenBackAt.TotalSeconds:0.000} s, " +
        $"with peer {Dead} still down, said '{Message}'";
}
