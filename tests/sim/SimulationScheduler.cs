using DhtPs.Core.Peer;

namespace DhtPs.Simulation;

/// <summary>
/// A peer's logical thread in a simulation: work is posted to the simulated clock at the current instant,
/// so all peers share the simulation thread in one reproducible order. Like <see cref="ChannelScheduler"/>,
/// disposal refuses new work, lets queued work finish, and an item that throws is reported and skipped.
/// </summary>
public sealed class SimulationScheduler(SimulatedTimeProvider clock, Action<Exception> onError) : IPeerScheduler
{
    // Completes on the simulation thread (no RunContinuationsAsynchronously): a stopping peer carries on inline.
    private readonly TaskCompletionSource _drained = new();
    private int _queued;
    private bool _completing;

    public void Post(Action work)
    {
        if (_completing)
            return;
        _queued++;
        clock.Post(() => Execute(work));
    }

    /// <summary>Runs at the current instant on the clock, like posted work, but beside the queue: it may outlive disposal.</summary>
    public void RunInBackground(Func<Task> work) => clock.Post(() => _ = work());

    public TaskCreationOptions CompletionOptions => TaskCreationOptions.None;

    private void Execute(Action work)
    {
        try
        {
            work();
        }
        catch (Exception e)
        {
            onError(e);
        }
        if (--_queued == 0 && _completing)
            _drained.TrySetResult();
    }

    public ValueTask DisposeAsync()
    {
        _completing = true;
        if (_queued == 0)
            _drained.TrySetResult();
        return new ValueTask(_drained.Task);
    }
}
