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
    StoreRequestForwarded,
    StoreRequestAccepted,
    FileStored,
    FileRequestSent,
    FileRequestPassedOn,
    FileStoredHere,
    FileMissing,
    FileSending,
    FileSent,
    FileLocated,
    FileReceiving,
    FileReceived,
    FileTransferFailed,
    FileResuming,
    FileTransferRetrying,
    FileHandedOff,
    FileTakenOver,
    FileRefused,

    /// <summary>Input that was not authenticated with this ring's secret was dropped, or another peer refused this one's.</summary>
    AuthenticationFailed,

    /// <summary>A successor change named the first successor at another contact than this peer knows (issue 17); it was asked at the known one.</summary>
    SuccessorChangeRefuted,

    /// <summary>A departure notice named a successor that, asked at its known contact, answered as running (issue 17): nothing changed.</summary>
    DepartureNoticeRefuted,
}
