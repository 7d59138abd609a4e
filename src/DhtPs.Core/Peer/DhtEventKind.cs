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

    /// <summary>An owner gave one of its next successors a copy of a file (or a holder gave the owner one it lacked).</summary>
    FileReplicated,

    /// <summary>A copy of a file arrived here from its owner (or from a holder, at the owner).</summary>
    FileReplicaStored,

    /// <summary>A peer beyond a file's holders dropped its copy once they all had it.</summary>
    FileReplicaDropped,

    /// <summary>A file was removed here (Remove-DhtFile at its owner, or the owner's tombstone reaching a holder).</summary>
    FileRemoved,

    /// <summary>A reader found this peer's copy corrupt (its bytes no longer match the digest recorded at store time): it was dropped, to be copied again from a good one.</summary>
    FileCorruptCopyDropped,

    /// <summary>Input that was not authenticated with this ring's secret was dropped, or another peer refused this one's.</summary>
    AuthenticationFailed,

    /// <summary>A successor change named the first successor at another contact than this peer knows (issue 17); it was asked at the known one.</summary>
    SuccessorChangeRefuted,

    /// <summary>A departure notice named a successor that, asked at its known contact, answered as running (issue 17): nothing changed.</summary>
    DepartureNoticeRefuted,
}
