using System.Collections.Concurrent;

namespace DhtPs.Hosting;

/// <summary>
/// What worker threads want written while a cmdlet waits on a core task (progress, verbose, debug): they post
/// actions, and the pipeline thread runs them in order until the task ends, as the engine's own
/// PSTaskDataStreamWriter does. Posts after the end are dropped.
/// </summary>
internal sealed class PipelineQueue : IDisposable
{
    private readonly BlockingCollection<Action> _actions = new();
    private readonly Lock _gate = new();

    /// <summary>Called from any thread.</summary>
    public void Post(Action action)
    {
        lock (_gate)
        {
            if (!_actions.IsAddingCompleted)
                _actions.Add(action);
        }
    }

    /// <summary>On the pipeline thread: runs what is posted until <paramref name="task"/> ends, then returns its result.</summary>
    public T RunUntil<T>(Task<T> task, CancellationToken stop)
    {
        task.ContinueWith(_ => Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        foreach (var action in _actions.GetConsumingEnumerable(stop))
            action();
        return PipelineWait.Result(task, stop);
    }

    private void Complete()
    {
        lock (_gate)
            _actions.CompleteAdding();
    }

    public void Dispose()
    {
        Complete();
        _actions.Dispose();
    }
}
