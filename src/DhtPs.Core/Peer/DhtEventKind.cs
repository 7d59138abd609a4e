namespace DhtPs.Core.Peer;

public enum DhtEventKind
{
    Started,
    Stopped,
    PingRequestsSent,
    PingRequestReceived,
    PingResponseReceived,
    MalformedInput,
    RingMismatch,
    InternalError,
}
