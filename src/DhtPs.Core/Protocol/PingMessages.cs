using DhtPs.Core.Ring;

namespace DhtPs.Core.Protocol;

/// <summary>
/// A liveness probe from a predecessor. <see cref="Rank"/> says which successor the
/// receiver is for the sender (1 = first, 2 = second): that is how the receiver
/// learns which of its predecessors the sender is.
/// </summary>
public sealed record PingRequest : Message
{
    public required int Rank { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (Rank is < 1 or > SuccessorList.MaxLength)
            throw Malformed($"ping rank {Rank} is not between 1 and {SuccessorList.MaxLength}");
    }
}

/// <summary>The answer to a <see cref="PingRequest"/>; the frame's sequence number pairs them.</summary>
public sealed record PingResponse : Message;
