namespace DhtPs.Core.Peer.FailureDetection;

/// <summary>
/// Why a successor was declared dead, as its "Peer 14 is no longer alive" event carries it (<see cref="DhtEvent.Evidence"/>):
/// the pings it missed in a row, what its round trips measured, how long each ping and the confirmation over TCP waited.
/// </summary>
/// <param name="PeerId">The peer declared dead.</param>
/// <param name="MissedPings">The pings it left unanswered in a row before it was asked over TCP.</param>
/// <param name="LastRoundTrip">The last round trip measured to it (Karn's rule: a re-ping's answer is none); null if none was.</param>
/// <param name="SmoothedRoundTrip">Its smoothed round trip (RFC 6298's SRTT); null if nothing was measured.</param>
/// <param name="PingTimeout">How long the last ping waited for its answer (backed off after each miss).</param>
/// <param name="ConfirmTimeout">How long the confirmation over TCP waited.</param>
public sealed record FailureEvidence(
    ulong PeerId,
    int MissedPings,
    TimeSpan? LastRoundTrip,
    TimeSpan? SmoothedRoundTrip,
    TimeSpan PingTimeout,
    TimeSpan ConfirmTimeout)
{
    /// <summary>The incarnation of the peer that was declared dead (issue 13); 0 when it does not number them.</summary>
    public ulong Incarnation { get; init; }

    /// <summary>How many helpers were asked to ping it (SWIM's indirect probes); 0 when none were.</summary>
    public int HelpersAsked { get; init; }

    /// <summary>How many of them said it did not answer them either (Lifeguard's nacks).</summary>
    public int Nacks { get; init; }

    /// <summary>The declaring peer's own health score when it asked over TCP (Lifeguard's local health, 0 = healthy).</summary>
    public int LocalHealth { get; init; }

    /// <summary>Out of misses and asked over TCP, it was declared dead by another peer first, whose verdict this one took.</summary>
    public bool DeclaredElsewhere { get; init; }

    public override string ToString() =>
        $"{MissedPings} pings missed, last round trip {(LastRoundTrip is { } rtt ? $"{rtt.TotalMilliseconds:0.###} ms" : "none")}, " +
        $"ping timeout {PingTimeout.TotalMilliseconds:0.###} ms, confirmation timeout {ConfirmTimeout.TotalMilliseconds:0.###} ms" +
        (HelpersAsked > 0 ? $", {Nacks} of {HelpersAsked} helpers nacked" : "") + (LocalHealth > 0 ? $", local health {LocalHealth}" : "") +
        (DeclaredElsewhere ? ", declared dead by another peer meanwhile" : "");
}
