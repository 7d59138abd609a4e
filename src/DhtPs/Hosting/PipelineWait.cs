using System.Runtime.ExceptionServices;

namespace DhtPs.Hosting;

/// <summary>Blocks the pipeline thread on a core task, so the cancellation token (the pipeline's stop token) ends the wait.</summary>
internal static class PipelineWait
{
    public static T Result<T>(Task<T> task, CancellationToken stop)
    {
        try
        {
            task.Wait(stop);
            return task.Result;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            throw;
        }
    }
}
