using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transfer;

/// <summary>The receiver answered a file header with a refusal instead of a resume offset; no content was sent.</summary>
public sealed class TransferRefusedException(ErrorResponse refusal) : IOException(refusal.Reason)
{
    public ErrorCode Code { get; } = refusal.Code;
}
