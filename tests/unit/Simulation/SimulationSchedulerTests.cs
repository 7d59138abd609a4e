using DhtPs.Simulation;

namespace DhtPs.Tests.Unit.Simulation;

public sealed class SimulationSchedulerTests
{
    private readonly SimulatedTimeProvider _clock = new();
    private readonly List<string> _log = [];
    private readonly SimulationScheduler _scheduler;

    public SimulationSchedulerTests() => _scheduler = new SimulationScheduler(_clock, e => _log.Add($"error: {e.Message}"));

    [Fact]
    public void Work_runs_in_order_on_the_clock_and_a_throwing_item_is_reported_and_skipped()
    {
        _scheduler.Post(() => _log.Add("one"));
        _scheduler.Post(() => throw new InvalidOperationException("boom"));
        _scheduler.Post(() => _log.Add("three"));
        Assert.Empty(_log);
        _clock.RunDue();
        Assert.Equal(["one", "error: boom", "three"], _log);
    }

    [Fact]
    public void Disposal_lets_queued_work_finish_refuses_new_work_and_completes_on_the_simulation_thread()
    {
        _scheduler.Post(() => _log.Add("queued"));
        var disposed = _scheduler.DisposeAsync().AsTask();
        _scheduler.Post(() => _log.Add("too late"));
        Assert.False(disposed.IsCompleted);
        _clock.RunDue();
        Assert.True(disposed.IsCompletedSuccessfully);
        Assert.Equal(["queued"], _log);
    }
}
