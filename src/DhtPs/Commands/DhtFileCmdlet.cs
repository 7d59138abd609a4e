using System.Management.Automation;
using DhtPs.Completion;
using DhtPs.Core.Client;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Commands;

/// <summary>What Save-DhtFile, Get-DhtFile and Resolve-DhtKey share: the local peer a request enters at, progress, and error records.</summary>
public abstract class DhtFileCmdlet : RingClientCmdlet
{
    /// <summary>Transfers at least this long show Write-Progress.</summary>
    private const long ProgressThreshold = 4L * 1024 * 1024;

    /// <summary>
    /// Where the request enters the ring: a peer of this session (its id), or any peer of a ring elsewhere as
    /// host:port or id@host:port (client mode: that peer acts for this session, which needs no peer of its own).
    /// Default: the only peer this session runs.
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(LocalPeerCompleter))]
    public PeerAddress? Via { get; set; }

    /// <summary>Seconds the owner may take to answer (a fetch: to start sending).</summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double Timeout { get; set; } = 30;

    /// <summary>The entry -Via names, or the single local peer; null after writing an error record.</summary>
    protected IRingEntry? EntryPeer() => ClientRingEntry(Via);

    /// <summary>
    /// Blocks on a transfer like <see cref="DhtCmdlet.Await{T}"/>, writing its progress from this (the pipeline) thread:
    /// the core reports on worker threads, and each report is posted here.
    /// </summary>
    protected T AwaitTransfer<T>(string activity, Func<IProgress<TransferProgress>, CancellationToken, Task<T>> transfer)
    {
        ProgressRecord? record = null;
        var progress = new Progress(report =>
        {
            if (report.BytesTotal < ProgressThreshold)
                return;
            record ??= new ProgressRecord(1, activity, report.Name);
            record.StatusDescription = $"{report.Name}: {report.BytesDone / 1048576} of {report.BytesTotal / 1048576} MiB";
            record.PercentComplete = report.Percent;
            WriteProgress(record);
        }, Post);
        var result = Await(token => transfer(progress, token));
        if (record is not null)
        {
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }
        return result;
    }

    /// <summary>Writes what a store or fetch did to Verbose: where it went, how many hops, how long it took.</summary>
    protected void WriteVerboseOutcome(string verb, DhtFileInfo file) =>
        WriteVerbose($"{verb} {file.Name} (key {file.Key}, {file.Length} bytes) at Peer {file.StoredAt} after {Hops(file.Hops)} in {file.Elapsed.TotalSeconds:0.000} s.");

    protected static string Hops(int hops) => hops == 1 ? "1 hop" : $"{hops} hops";

    /// <summary>Writes the error record a failed store or fetch deserves.</summary>
    protected void WriteFileError(Exception exception, object target)
    {
        var (errorId, category) = exception switch
        {
            _ when IsAuthenticationFailure(exception) => (AuthenticationFailedId, ErrorCategory.AuthenticationError),
            UnsafeFileNameException => ("DhtUnsafeFileName", ErrorCategory.InvalidArgument),
            FileNotFoundException => ("DhtFileDoesNotExist", ErrorCategory.ObjectNotFound),
            DirectoryNotFoundException => ("DhtDestinationNotFound", ErrorCategory.ObjectNotFound),
            DhtFileException { Failure: DhtFileFailure.NotFound } => ("DhtFileNotFound", ErrorCategory.ObjectNotFound),
            DhtFileException { Failure: DhtFileFailure.Unroutable } => ("DhtFileUnroutable", ErrorCategory.ConnectionError),
            DhtFileException { Failure: DhtFileFailure.TimedOut } => ("DhtFileTimedOut", ErrorCategory.OperationTimeout),
            DhtFileException { Failure: DhtFileFailure.NotRunning } => ("DhtPeerNotRunning", ErrorCategory.InvalidOperation),
            DhtFileException { InnerException: ProtocolException { Error: ProtocolError.Truncated } } => ("DhtFileTransferTruncated", ErrorCategory.InvalidData),
            DhtFileException { Failure: DhtFileFailure.TransferFailed } => ("DhtFileTransferCorrupted", ErrorCategory.InvalidData),
            _ => ("DhtFileFailed", CategoryOf(exception)),
        };
        WriteError(Error(exception, errorId, category, target));
    }

    /// <summary>Progress from worker threads, each report written on the pipeline thread through <paramref name="post"/>.</summary>
    private sealed class Progress(Action<TransferProgress> write, Action<Action> post) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => post(() => write(value));
    }
}
