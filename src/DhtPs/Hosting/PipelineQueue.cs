using System.Collections.Concurrent;

namespace DhtPs.Hosting;

/// <summary>
/// What worker threads want written while a cmdlet waits on a core task (progress, verbose, debug): they post
/// actions, and the pipeline thread runs them in order until the task ends, as the engine's own
/// PSTaskDataStreamWriter does. Posts after the end are dropped.
/// </summary>
internal sealed class PipelineQueue : IDisposable
{
    private readonly ConcurrentQueue<Action> _actions = new();

    // No spinning before the pipeline thread sleeps: many cmdlets may wait at once (runspaces, ForEach-Object
    // -Parallel), and on few cores their spins crowd out the threads doing the work. A BlockingCollection's spins
    // were a quarter of the CPU of 16 concurrent Get-DhtFile on 2 cores. Never disposed: it holds no kernel handle
    // unless its WaitHandle is asked for, and a peer's thread may still post after the wait.
    private readonly ManualResetEventSlim _posted = new(initialState: false, spinCount: 0);
    private volatile bool _ended;

    /// <summary>Called from any thread.</summary>
    public void Post(Action action)
    {
        if (_ended)
            return;
        _actions.Enqueue(action);
        _posted.Set();
    }

    /// <summary>On the pipeline thread: runs what is posted until <paramref name="task"/> ends, then returns its result.</summary>
    public T RunUntil<T>(Task<T> task, CancellationToken stop)
    {
        task.ContinueWith(_ => End(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (!_ended)
        {
            _posted.Wait(stop);
            _posted.Reset(); // before the run: a post from now on wakes the next wait
            RunPosted();
        }
        RunPosted(); // what came just before the end
        return PipelineWait.Result(task, stop);
    }

    private void RunPosted()
    {
        while (_actions.TryDequeue(out var action))
            action();
    }

    private void End()
    {
        _ended = true;
        _posted.Set();
    }

    public void Dispose() => End();
}
