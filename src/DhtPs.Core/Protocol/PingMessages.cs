using System.Text.Json.Serialization;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A liveness probe from a predecessor. <see cref="Rank"/> says which successor the
/// receiver is for the sender (1 = first, 2 = second): that is how the receiver
/// learns which of its predecessors the sender is.
/// </summary>
public sealed record PingRequest : Message, ILivenessGossip
{
    public required int Rank { get; init; }

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
