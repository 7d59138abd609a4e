using DhtPs.Core.Peer.FailureDetection;

namespace DhtPs.Tests.Unit.Peer.FailureDetection;

/// <summary>RFC 6298 arithmetic, the bounds, the backoff and Karn's rule, on exact values (all in whole ticks).</summary>
public sealed class RttEstimatorTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    /// <summary>Bounds wide enough that the RFC's arithmetic shows through unclamped.</summary>
    private static readonly RttEstimatorOptions Wide = new() { Floor = Ms(1), Ceiling = TimeSpan.FromSeconds(60), InitialTimeout = TimeSpan.FromSeconds(1) };

    [Fact]
    public void Before_any_sample_the_timeout_is_the_initial_one_and_there_is_no_estimate()
    {
        var rtt = new RttEstimator(Wide);
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.Timeout);
        Assert.Null(rtt.SmoothedRtt);
        Assert.Null(rtt.RttVariation);
        Assert.Null(rtt.LastSample);
        Assert.Equal(0, rtt.Samples);
    }

    [Fact]
    public void The_first_sample_sets_srtt_to_it_and_rttvar_to_half_of_it()
    {
        var rtt = new RttEstimator(Wide);
        Assert.True(rtt.OnAnswer(Ms(100), retransmitted: false));
        Assert.Equal(Ms(100), rtt.SmoothedRtt);
        Assert.Equal(Ms(50), rtt.RttVariation);
        Assert.Equal(Ms(100) + 4 * Ms(50), rtt.Timeout);
        Assert.Equal(Ms(100), rtt.LastSample);
        Assert.Equal(1, rtt.Samples);
    }

    [Fact]
    public void A_later_sample_updates_rttvar_from_the_old_srtt_with_beta_a_quarter_then_srtt_with_alpha_an_eighth()
    {
        var rtt = new RttEstimator(Wide);
        rtt.OnAnswer(Ms(100), retransmitted: false);
        rtt.OnAnswer(Ms(200), retransmitted: false);
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5 (from the new SRTT it would be 59.375); SRTT = 7/8 * 100 + 1/8 * 200.
        Assert.Equal(Ms(62.5), rtt.RttVariation);
        Assert.Equal(Ms(112.5), rtt.SmoothedRtt);
        Assert.Equal(Ms(112.5 + 4 * 62.5), rtt.Timeout);

        rtt.OnAnswer(Ms(40), retransmitted: false);
        // RTTVAR = 3/4 * 62.5 + 1/4 * |112.5 - 40| = 65; SRTT = 7/8 * 112.5 + 1/8 * 40 = 103.4375.
        Assert.Equal(Ms(65), rtt.RttVariation);
        Assert.Equal(Ms(103.4375), rtt.SmoothedRtt);
        Assert.Equal(Ms(103.4375 + 4 * 65), rtt.Timeout);
        Assert.Equal(Ms(40), rtt.LastSample);
        Assert.Equal(3, rtt.Samples);
    }

    [Fact]
    public void Steady_round_trips_shrink_the_margin_to_the_clock_granularity()
    {
        var rtt = new RttEstimator(Wide with { ClockGranularity = Ms(10) });
        for (var i = 0; i < 100; i++)
            rtt.OnAnswer(Ms(100), retransmitted: false);
        Assert.Equal(Ms(100), rtt.SmoothedRtt);
        Assert.True(rtt.RttVariation < Ms(0.001), $"RTTVAR {rtt.RttVariation} should have decayed");
        Assert.Equal(Ms(110), rtt.Timeout); // SRTT + max(G, 4 RTTVAR) with 4 RTTVAR < G
    }

    [Fact]
    public void The_timeout_never_falls_below_the_floor_nor_rises_above_the_ceiling()
    {
        var bounded = Wide with { Floor = Ms(200), Ceiling = Ms(800), InitialTimeout = Ms(50) };
        var fast = new RttEstimator(bounded);
        Assert.Equal(Ms(200), fast.Timeout); // the initial timeout is clamped too
        fast.OnAnswer(Ms(1), retransmitted: false);
        Assert.Equal(Ms(200), fast.Timeout);
        Assert.Equal(Ms(1), fast.SmoothedRtt); // the estimate itself is not clamped

        var slow = new RttEstimator(bounded);
        slow.OnAnswer(Ms(700), retransmitted: false);
        Assert.Equal(Ms(800), slow.Timeout);
        Assert.Equal(Ms(800), slow.TimeoutFor(3));
    }

    [Fact]
    public void Each_timeout_doubles_the_wait_up_to_the_ceiling_and_a_clean_sample_recomputes_it()
    {
        var rtt = new RttEstimator(Wide with { Ceiling = TimeSpan.FromSeconds(5) });
        rtt.OnAnswer(Ms(100), retransmitted: false);
        Assert.Equal(Ms(300), rtt.Timeout);
        rtt.OnTimeout();
        Assert.Equal(Ms(600), rtt.Timeout);
        rtt.OnTimeout();
        rtt.OnTimeout();
        rtt.OnTimeout();
        Assert.Equal(Ms(4800), rtt.Timeout);
        rtt.OnTimeout();
        Assert.Equal(TimeSpan.FromSeconds(5), rtt.Timeout);
        Assert.Equal(5, rtt.Backoffs);

        rtt.OnAnswer(Ms(100), retransmitted: false);
        Assert.Equal(0, rtt.Backoffs);
        // RTTVAR = 3/4 * 50 + 0 = 37.5, SRTT 100: the backoff is gone, the estimate rules again.
        Assert.Equal(Ms(100 + 4 * 37.5), rtt.Timeout);
    }

    [Fact]
    public void Karns_rule_an_answer_to_a_question_asked_again_is_no_sample_and_the_backoff_stays()
    {
        var rtt = new RttEstimator(Wide);
        rtt.OnAnswer(Ms(100), retransmitted: false);
        rtt.OnTimeout();
        rtt.OnTimeout();
        Assert.Equal(Ms(1200), rtt.Timeout);

        Assert.False(rtt.OnAnswer(Ms(30), retransmitted: true));

        Assert.Equal(Ms(1200), rtt.Timeout);
        Assert.Equal(Ms(100), rtt.SmoothedRtt);
        Assert.Equal(Ms(50), rtt.RttVariation);
        Assert.Equal(Ms(100), rtt.LastSample);
        Assert.Equal(1, rtt.Samples);
        Assert.Equal(2, rtt.Backoffs);
    }

    /// <summary>
    /// Why Karn's rule: a target whose round trip jumps from 50 ms to 500 ms. A prober that timed out and asked again
    /// can only measure the answer from its last send, which is too short; taking that as a sample holds the timeout
    /// under the real round trip, so question after question times out. Ignoring it lets the backoff climb past the
    /// round trip, and the first clean answer then teaches the estimate the new round trip.
    /// </summary>
    [Fact]
    public void After_a_jump_in_the_round_trip_the_timeout_climbs_past_it_and_questions_stop_timing_out()
    {
        var rtt = new RttEstimator(Wide with { Floor = Ms(200) });
        for (var i = 0; i < 20; i++)
            rtt.OnAnswer(Ms(50), retransmitted: false);
        Assert.Equal(Ms(200), rtt.Timeout);

        var roundTrip = Ms(500);
        var timedOut = Enumerable.Range(0, 12).Select(_ => Ask(rtt, roundTrip)).ToArray();

        // Two questions time out while the backoff climbs; every one after that is answered in time.
        Assert.Equal([true, true], timedOut[..2]);
        Assert.All(timedOut[2..], late => Assert.False(late));
        Assert.True(rtt.SmoothedRtt > Ms(300), $"SRTT {rtt.SmoothedRtt} should be learning the 500 ms round trip");
    }

    /// <summary>
    /// One question to a target that answers every send after <paramref name="roundTrip"/>: resent at each timeout,
    /// done at the first answer, measured from the last send. True when it timed out at least once.
    /// </summary>
    private static bool Ask(RttEstimator rtt, TimeSpan roundTrip)
    {
        var firstSend = TimeSpan.Zero;
        var lastSend = firstSend;
        var sends = 1;
        var firstAnswer = firstSend + roundTrip; // the first send's answer comes back first
        while (lastSend + rtt.Timeout <= firstAnswer)
        {
            lastSend += rtt.Timeout;
            rtt.OnTimeout();
            sends++;
        }
        rtt.OnAnswer(firstAnswer - lastSend, retransmitted: sends > 1);
        return sends > 1;
    }

    [Fact]
    public void An_exchange_of_several_round_trips_gets_that_many_timeouts_within_the_bounds()
    {
        var rtt = new RttEstimator(Wide with { Ceiling = TimeSpan.FromSeconds(1) });
        rtt.OnAnswer(Ms(100), retransmitted: false);
        Assert.Equal(Ms(300), rtt.TimeoutFor(1));
        Assert.Equal(Ms(600), rtt.TimeoutFor(2));
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.TimeoutFor(4));
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.TimeoutFor(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => rtt.TimeoutFor(0));
    }

    [Fact]
    public void A_negative_round_trip_is_refused_and_changes_nothing()
    {
        var rtt = new RttEstimator(Wide);
        Assert.Throws<ArgumentOutOfRangeException>(() => rtt.OnAnswer(Ms(-1), retransmitted: false));
        Assert.Equal(0, rtt.Samples);
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.Timeout);
    }

    [Theory]
    [InlineData(0, 1000, 1000, "Floor")]
    [InlineData(500, 400, 1000, "Ceiling")]
    [InlineData(200, 2_000_000_000, 1000, "Ceiling")]
    [InlineData(200, 1000, 0, "InitialTimeout")]
    public void Bounds_that_make_no_sense_are_refused_naming_the_option(double floorMs, double ceilingMs, double initialMs, string option)
    {
        var options = new RttEstimatorOptions { Floor = Ms(floorMs), Ceiling = Ms(ceilingMs), InitialTimeout = Ms(initialMs) };
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new RttEstimator(options));
        Assert.Equal(option, refused.ParamName);
    }

    [Fact]
    public void A_negative_clock_granularity_is_refused()
    {
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new RttEstimator(Wide with { ClockGranularity = Ms(-1) }));
        Assert.Equal("ClockGranularity", refused.ParamName);
    }
}
