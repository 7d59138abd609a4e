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
    JoinRequestForwarded,
    JoinRequestReceived,
    JoinAccepted,
    JoinFailed,
    SuccessorChangeReceived,
    SuccessorChanged,
    DepartureNoticeReceived,
    SuccessorDead,
}
