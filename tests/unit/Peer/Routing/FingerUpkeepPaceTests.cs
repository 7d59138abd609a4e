using DhtPs.Core.Peer.Routing;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer.Routing;

public sealed class FingerUpkeepPaceTests
{
    private static PeerContact?[] Table(params ulong[] ids) => ids.Select(id => (PeerContact?)PeerContact.ForId(id)).ToArray();

    /// <summary>Rounds skipped after each pass over <paramref name="table"/>, for <paramref name="passes"/> quiet passes.</summary>
    private static List<int> SkippedAfterQuietPasses(FingerUpkeepPace pace, PeerContact?[] table, int passes)
    {
        var skipped = new List<int>();
        for (var pass = 0; pass < passes; pass++)
        {
            pace.PassEnded(table);
            var skips = 0;
            while (!pace.ShouldRefresh(table))
                skips++;
            skipped.Add(skips);
        }
        return skipped;
    }

    [Fact]
    public void The_first_pass_earns_no_pause_and_each_quiet_pass_after_it_doubles_the_pause_up_to_the_ceiling()
    {
        var pace = new FingerUpkeepPace(maxPauseRounds: 6);

        Assert.Equal([0, 1, 2, 4, 6, 6], SkippedAfterQuietPasses(pace, Table(8, 14), passes: 6));
    }

    [Fact]
    public void A_pass_that_changed_the_table_starts_the_pauses_over()
    {
        var pace = new FingerUpkeepPace(maxPauseRounds: 30);
        SkippedAfterQuietPasses(pace, Table(8, 14), passes: 4);

        Assert.Equal([0, 1, 2], SkippedAfterQuietPasses(pace, Table(8, 19), passes: 3));
    }

    [Fact]
    public void A_table_that_changes_during_a_pause_ends_it_at_once()
    {
        var pace = new FingerUpkeepPace(maxPauseRounds: 30);
        var table = Table(8, 14);
        SkippedAfterQuietPasses(pace, table, passes: 4); // the last pass earned 4 rounds
        pace.PassEnded(table);                           // and this one 8

        Assert.False(pace.ShouldRefresh(table));
        Assert.True(pace.ShouldRefresh(Table(8, 9)));
        Assert.Equal(0, pace.Pause);
    }

    [Fact]
    public void The_ceiling_is_thirty_seconds_of_rounds_at_any_ping_interval()
    {
        Assert.Equal([30, 1, 60], new[] { 1.0, 30, 0.5 }.Select(s => RoutingLimits.FingerPauseRounds(TimeSpan.FromSeconds(s))));
        Assert.Equal([0, 1, 1], SkippedAfterQuietPasses(new FingerUpkeepPace(RoutingLimits.FingerPauseRounds(TimeSpan.FromSeconds(30))), Table(8, 14), passes: 3));
    }
}
