namespace DhtPs.Core.Diagnostics;

/// <summary>What one peer did since it started: the quick look Get-DhtPeer -Statistics shows (the Meter has the detail).</summary>
public sealed record PeerStatistics(
    ulong PeerId,
    long MessagesSent,
    long MessagesReceived,
    long TransferBytesSent,
    long TransferBytesReceived,
    long Refusals,
    long Failures,
    long Requests,
    double MeanHops,
    TimeSpan MeanDuration,
    long FilesStored,
    long RepairFiles);
