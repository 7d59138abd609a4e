using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// The ping round (SPEC §3), once per <see cref="PeerOptions.PingInterval"/>: each component does its part in turn —
/// the neighbourhood forgets silent predecessors, the failure detector counts missed pings, ring maintenance repairs (unless a confirmation's verdict will)
/// and stabilizes, the router refreshes a finger, and the failure detector sends the round's pings.
/// The first round runs at once; the later ones every interval, or on the interval's grid of the clock
/// (<see cref="PeerOptions.AlignPingRounds"/>, <see cref="PingClock"/>).
/// </summary>
public sealed partial class PeerNode
{
    private ITimer? _pingTimer;

    /// <summary>The grid point the round under way (or the next one) was due at.</summary>
    private DateTimeOffset _roundDue;

    private void StartPinging()
    {
        _neighborhood.SetSuccessors(new[] { _options.FirstSuccessor, _options.SecondSuccessor }
            .OfType<PeerLocator>()
            .Select(s => new PeerContact(s.Id!.Value, s.EndPoint.Address.ToString(), s.EndPoint.Port)));
        _roundDue = PingClock.RoundAt(Time.GetUtcNow(), _options.PingInterval);
        _pingTimer = Time.CreateTimer(_ => Run(PingRound), null, TimeSpan.Zero,
            _options.AlignPingRounds ? Timeout.InfiniteTimeSpan : _options.PingInterval);
    }

    private void StopPinging() => _pingTimer?.Dispose();

    // Reading the neighbourhood, in the words the rest of the peer uses.
    private IReadOnlyList<PeerContact> CurrentSuccessors() => _neighborhood.Successors;

    private IReadOnlyList<PeerContact> CurrentPredecessors() => _neighborhood.Predecessors;

    private IReadOnlyList<PeerContact> LiveSuccessors() => _neighborhood.LiveSuccessors;

    private void PingRound()
    {
        if (_options.AlignPingRounds)
            ArmNextRound(); // Also while joining: the rounds go on, and ping again once the peer is running.
        if (_status is not PeerStatus.Running)
            return;
        _neighborhood.ForgetSilentPredecessors(Time.GetUtcNow());
        _maintenance.OnPingRound(_detector.CountMissedPings());
        _router.RefreshFingers(LiveSuccessors());
        _detector.PingTargets();
    }

    /// <summary>Aligned, the timer fires once per round, armed for the next grid point (a stopped peer's timer is disposed: no change).</summary>
    private void ArmNextRound()
    {
        var now = Time.GetUtcNow();
        _roundDue = PingClock.NextRound(_roundDue, now, _options.PingInterval);
        _pingTimer?.Change(_roundDue - now, Timeout.InfiniteTimeSpan);
    }
}
