using System.Text.Json.Serialization;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A liveness probe from a predecessor. <see cref="Rank"/> says which successor the
/// receiver is for the sender (1 = first, 2 = second): that is how the receiver
/// learns which of its predecessors the sender is. An <see cref="Indirect"/> ping is a helper's,
/// sent for another peer's <see cref="IndirectPingRequest"/>: answered, never taken as a predecessor's.
/// </summary>
public sealed record PingRequest : Message, ILivenessGossip
{
    /// <summary>1..32; 0 exactly when <see cref="Indirect"/> (a peer that knows no indirect pings refuses rank 0 instead of taking the helper for a predecessor).</summary>
    public required int Rank { get; init; }

    /// <summary>Sent by a helper on another peer's behalf (docs/protocol.md 3.5): the receiver answers and learns no predecessor.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Indirect { get; init; }

    /// <summary>The most a ping interval may be on the wire: a day, in milliseconds.</summary>
    public const long MaxIntervalMilliseconds = 86_400_000;

    /// <summary>
    /// The sender's ping interval in milliseconds: how long the receiver may wait for its next ping before it forgets
    /// the sender as a predecessor (a 1 s peer must not forget its 30 s predecessor between that one's pings).
    /// 0 (left out) from a peer that does not say: the receiver then goes by its own interval.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long IntervalMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Incarnation { get; init; }

    public IReadOnlyList<PeerIncarnation>? Deaths { get; init; }
}

/// <summary>The answer to a <see cref="PingRequest"/>; the frame's sequence number pairs them.</summary>
public sealed record PingResponse : Message, ILivenessGossip
{
    /// <summary>The answerer's incarnation: a suspect refutes a suspicion by answering at a higher one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Incarnation { get; init; }

    public IReadOnlyList<PeerIncarnation>? Deaths { get; init; }
}

/// <summary>
/// SWIM's ping-req (docs/protocol.md 3.5): "ping <see cref="Target"/> for me". The helper pings the target with an
/// <see cref="PingRequest.Indirect"/> ping and answers with an <see cref="IndirectPingAck"/> under this frame's sequence
/// number: the target's answer relayed, or a nack if none came in time.
/// </summary>
public sealed record IndirectPingRequest : Message
{
    public required PeerContact Target { get; init; }
}

/// <summary>
/// A helper's answer to an <see cref="IndirectPingRequest"/>, under its sequence number: <see cref="Target"/> answered the
/// helper's ping, or (<see cref="Nack"/>) it did not within the helper's wait — Lifeguard's nack, which tells the asker
/// that the helper and the way to it work, whatever the target does.
/// </summary>
public sealed record IndirectPingAck : Message
{
    public required PeerContact Target { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Nack { get; init; }
}
