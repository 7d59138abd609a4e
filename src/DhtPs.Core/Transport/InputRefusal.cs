using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport;

public enum RefusalKind
{
    /// <summary>Bytes that are not a frame or message, or a message that fails <see cref="MessageValidator"/>.</summary>
    Malformed,

    /// <summary>A valid message from a ring of another id width.</summary>
    OtherRing,

    /// <summary>Input that does not carry this ring's authentication (a wrong secret, none, a replay or a forgery).</summary>
    Unauthenticated,

    /// <summary>A connection over the limit of connections from its source address (<see cref="TransportLimits"/>).</summary>
    ConnectionLimit,

    /// <summary>A connection cut off for being too slow: no first frame by its deadline, or a stream below the minimum rate.</summary>
    TooSlow,
}

/// <summary>Where refused input arrived.</summary>
public enum InputPath
{
    Datagram,
    Request,
    StreamOpening,

    /// <summary>An answer to a request this peer sent.</summary>
    Answer,
}

/// <summary>
/// Input the ingest point refused, with why. <see cref="Message"/> is set when it decoded (and <see cref="Code"/> is then
/// what a request is answered with); <see cref="Reason"/> is safe to show (remote text stripped of control characters).
/// </summary>
public sealed record InputRefusal(RefusalKind Kind, InputPath Path, string Reason, Message? Message = null, ErrorCode Code = ErrorCode.Invalid)
{
    /// <summary>The reason, naming the message type when one decoded: "PingRequest: ping rank 3 is not 1 or 2".</summary>
    public string Description => Message is null ? Reason : $"{Message.GetType().Name}: {Reason}";
}
