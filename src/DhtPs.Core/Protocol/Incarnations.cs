using System.Text.Json.Serialization;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A peer at one of its incarnations (docs/protocol.md section 5.9): the number only that peer raises, when it
/// restarts or refutes a suspicion, so a death declared at one incarnation never kills the next.
/// </summary>
public sealed record PeerIncarnation(ulong Id, ulong Incarnation);

/// <summary>
/// What failure detection piggybacks on the messages it already sends (pings, their answers and neighbour answers):
/// the sender's own incarnation, and the deaths it has declared or heard of, each at the incarnation that died.
/// </summary>
public interface ILivenessGossip
{
    /// <summary>The sender's own incarnation; 0 is a peer that does not number them (left out on the wire).</summary>
    ulong Incarnation { get; }

    /// <summary>Peers the sender holds dead, at the incarnation declared dead; null (left out) when none.</summary>
    IReadOnlyList<PeerIncarnation>? Deaths { get; }
}
