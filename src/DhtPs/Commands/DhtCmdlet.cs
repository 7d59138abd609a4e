using System.Management.Automation;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transport;

namespace DhtPs.Commands;

/// <summary>What every DhtPs cmdlet shares: waiting on core tasks so Ctrl+C cancels, and error records.</summary>
public abstract class DhtCmdlet : PSCmdlet
{
    /// <summary>Blocks the pipeline thread on a core task; Ctrl+C (StopProcessing) cancels the wait.</summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation)
    {
        var task = operation(PipelineStopToken);
        try
        {
            task.Wait(PipelineStopToken);
            return task.Result;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            throw;
        }
    }

    protected void Await(Func<CancellationToken, Task> operation) =>
        Await(async token => { await operation(token).ConfigureAwait(false); return true; });

    protected ErrorRecord Error(Exception exception, string errorId, ErrorCategory category, object? target) =>
        new(exception, errorId, category, target);

    /// <summary>The category a core failure belongs to, for errors that have no more specific one.</summary>
    protected static ErrorCategory CategoryOf(Exception exception) => exception switch
    {
        TransportException => ErrorCategory.ConnectionError,
        ProtocolException => ErrorCategory.InvalidData,
        ArgumentException => ErrorCategory.InvalidArgument,
        FormatException => ErrorCategory.InvalidArgument,
        TimeoutException => ErrorCategory.OperationTimeout,
        System.Net.Sockets.SocketException => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };
}
