using DhtPs.Core.Diagnostics;

namespace DhtPs.Core.Peer;

/// <summary>
/// What the peer reports to the <see cref="DhtMeter"/>: messages and bytes come from its metered transport, operations
/// from the public calls, and stored files, repairs and failures from the events it raises.
/// </summary>
public sealed partial class PeerNode
{
    private readonly PeerMetrics _metrics;

    /// <summary>What this peer did since it started (Get-DhtPeer -Statistics).</summary>
    public PeerStatistics Statistics => _metrics.Snapshot();

    /// <summary>Times a public operation and reports its outcome, its hops and, when it fails, why.</summary>
    private Task<T> Measured<T>(string operation, Task<T> task, Func<T, int?> hopsOf) =>
        _metrics.Measure(operation, task, hopsOf, FailureReason);

    private static string FailureReason(Exception e) => e switch
    {
        DhtFileException file => file.Failure.ToString(),
        LookupException lookup => lookup.Failure.ToString(),
        JoinException join => join.Failure.ToString(),
        OperationCanceledException => "Canceled",
        _ => e.GetType().Name,
    };

    /// <summary>The events that are also numbers.</summary>
    private void Count(DhtEventKind kind)
    {
        switch (kind)
        {
            case DhtEventKind.FileStored:
                _metrics.FileStored();
                break;
            case DhtEventKind.FileTakenOver:
                _metrics.Repaired(inbound: true);
                break;
            case DhtEventKind.FileHandedOff:
                _metrics.Repaired(inbound: false);
                break;
            case DhtEventKind.FileTransferFailed or DhtEventKind.SuccessorDead or DhtEventKind.InternalError or DhtEventKind.FileRefused:
                _metrics.Failed(kind.ToString());
                break;
        }
    }
}
