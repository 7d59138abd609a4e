namespace DhtPs.Core.Protocol;

public enum ErrorCode
{
    UnsupportedRequest,
    IdBitsMismatch,
    NotRunning,
    Invalid,
    IdTaken,
    IdOutOfRange,
    Unreachable,
    NotJoining,
    InternalError,
}

/// <summary>A request was refused; <see cref="Reason"/> is meant for a person.</summary>
public sealed record ErrorResponse : Message
{
    public required ErrorCode Code { get; init; }
    public required string Reason { get; init; }

    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Code))
            throw Malformed($"error code {(int)Code} is unknown");
    }
}
