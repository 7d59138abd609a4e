using DhtPs.Core.Peer;

namespace DhtPs.Tests.Unit.Peer;

public sealed class PingClockTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset Grid = new(2026, 12, 1, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_round_started_at_once_counts_as_the_grid_point_before_it_so_the_next_falls_on_the_grid()
    {
        var started = Grid.AddMilliseconds(300);
        var first = PingClock.RoundAt(started, Second);
        Assert.Equal(Grid, first);
        Assert.Equal(Grid + Second, PingClock.NextRound(first, started, Second));
    }

    [Fact]
    public void A_timer_that_fires_a_little_early_does_not_run_the_same_round_twice()
    {
        var due = Grid + Second;
        var firedEarly = due.AddMilliseconds(-0.7); // system timers round their due time down to whole milliseconds
        Assert.Equal(due + Second, PingClock.NextRound(due, firedEarly, Second));
    }

    [Fact]
    public void A_late_round_keeps_the_grid_and_one_later_than_a_whole_interval_rejoins_it_after_now()
    {
        var due = Grid + Second;
        Assert.Equal(due + Second, PingClock.NextRound(due, due.AddMilliseconds(600), Second));
        Assert.Equal(Grid + 4 * Second, PingClock.NextRound(due, Grid.AddMilliseconds(3_200), Second));
    }

    [Fact]
    public void Peers_started_apart_with_one_interval_share_their_rounds()
    {
        var interval = TimeSpan.FromMilliseconds(1_500);
        var a = PingClock.RoundAt(Grid.AddMilliseconds(100), interval);
        var b = PingClock.RoundAt(Grid.AddMilliseconds(1_100), interval);
        Assert.Equal(PingClock.NextRound(a, Grid.AddMilliseconds(100), interval), PingClock.NextRound(b, Grid.AddMilliseconds(1_100), interval));
    }
}
