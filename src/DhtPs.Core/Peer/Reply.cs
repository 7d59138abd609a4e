using DhtPs.Core.Protocol;

namespace DhtPs.Core.Peer;

/// <summary>Another peer's answer to a request, or why there is none (unreachable, timed out, unusable).</summary>
internal readonly record struct Reply(Message? Message, Exception? Failure)
{
    /// <summary>Why this reply is not what was hoped for, in words.</summary>
    public string Problem => Failure?.Message ?? (Message as ErrorResponse)?.Reason ?? "unexpected answer";
}
