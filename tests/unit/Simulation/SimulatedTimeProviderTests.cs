using DhtPs.Simulation;

namespace DhtPs.Tests.Unit.Simulation;

public sealed class SimulatedTimeProviderTests
{
    private readonly SimulatedTimeProvider _clock = new();
    private readonly List<string> _fired = [];

    private ITimer Timer(string name, double dueMs, double periodMs = -1) =>
        _clock.CreateTimer(_ => _fired.Add($"{name}@{_clock.Elapsed.TotalMilliseconds}"), null,
            TimeSpan.FromMilliseconds(dueMs), periodMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(periodMs));

    [Fact]
    public void Timers_fire_by_due_time_then_by_the_order_they_were_created()
    {
        Timer("late", 20);
        Timer("first-at-10", 10);
        Timer("second-at-10", 10);
        _clock.RunFor(TimeSpan.FromMilliseconds(30));
        Assert.Equal(["first-at-10@10", "second-at-10@10", "late@20"], _fired);
        Assert.Equal(TimeSpan.FromMilliseconds(30), _clock.Elapsed);
    }

    [Fact]
    public void Posted_work_runs_after_what_is_already_due_now_and_in_post_order()
    {
        Timer("due-now", 0);
        _clock.Post(() => _fired.Add("a"));
        _clock.Post(() => _clock.Post(() => _fired.Add("posted-by-b")));
        _clock.Post(() => _fired.Add("c"));
        _clock.RunDue();
        Assert.Equal(["due-now@0", "a", "c", "posted-by-b"], _fired);
        Assert.Equal(TimeSpan.Zero, _clock.Elapsed);
    }

    [Fact]
    public void Time_moves_only_when_run_and_a_periodic_timer_fires_every_period_until_disposed()
    {
        var timer = Timer("tick", 5, 10);
        Assert.Empty(_fired);
        _clock.RunFor(TimeSpan.FromMilliseconds(30));
        Assert.Equal(["tick@5", "tick@15", "tick@25"], _fired);
        timer.Dispose();
        _clock.RunFor(TimeSpan.FromMilliseconds(30));
        Assert.Equal(3, _fired.Count);
    }

    [Fact]
    public void Change_re_arms_and_the_old_arming_never_fires()
    {
        var timer = Timer("moved", 10);
        Assert.True(timer.Change(TimeSpan.FromMilliseconds(25), Timeout.InfiniteTimeSpan));
        _clock.RunFor(TimeSpan.FromMilliseconds(40));
        Assert.Equal(["moved@25"], _fired);
    }

    [Fact]
    public void Task_Delay_on_the_clock_completes_only_when_simulated_time_passes()
    {
        var delay = Task.Delay(TimeSpan.FromSeconds(5), _clock);
        _clock.RunFor(TimeSpan.FromSeconds(4.999));
        Assert.False(delay.IsCompleted);
        _clock.RunFor(TimeSpan.FromMilliseconds(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Work_scheduled_from_another_thread_than_the_one_running_the_clock_is_noted()
    {
        _clock.Post(() => _fired.Add("here"));
        _clock.RunDue();
        Assert.Null(_clock.ForeignThreadWork);

        await Task.Factory.StartNew(() => _clock.Post(() => _fired.Add("elsewhere")), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.StartsWith("thread ", _clock.ForeignThreadWork);
    }
}
