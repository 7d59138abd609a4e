using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;
using DhtPs.Tests.Unit.Peer.Routing;

namespace DhtPs.Tests.Unit.Peer.FailureDetection;

/// <summary>
/// The failure detector alone, against a fake context, at peer 9 of the SPEC's ring with successors 14 and 19: what each
/// round pings, how long a ping waits (the target's measured round trips), how a missed ping becomes a suspect, silent
/// re-pings, a confirmation over TCP and only then a death with its evidence.
/// </summary>
public sealed class FailureDetectorTests
{
    /// <summary>10 s, so the probe period (the ceiling of a ping's wait) is 2.5 s, far above the 200 ms floor.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ProbePeriod = Interval / 4;

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static (FailureDetector Detector, FakeDetectorContext Context, Neighborhood Neighborhood, List<FailureEvidence> Dead) DetectorAt(ulong self, params ulong[] successors)
    {
        var options = new PeerOptions { Id = self, PingInterval = Interval, MissedPingLimit = 3 };
        var neighborhood = new Neighborhood(new IdSpace(8), self, options);
        neighborhood.SetSuccessors(successors.Select(P));
        var context = new FakeDetectorContext(self);
        var detector = new FailureDetector(context, neighborhood, options);
        var dead = new List<FailureEvidence>();
        detector.Dead += dead.Add;
        return (detector, context, neighborhood, dead);
    }

    /// <summary>The last ping sent to <paramref name="to"/>, answered <paramref name="after"/> it went out (the clock moves on).</summary>
    private static void Pong(FailureDetector detector, FakeDetectorContext context, ulong to, TimeSpan? after = null)
    {
        var ping = context.Datagrams.Last(d => d.Message is PingRequest && d.To.Port == P(to).Port);
        context.Now += after ?? TimeSpan.Zero;
        detector.HandlePong(P(to).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(to), IdBits = 8 });
    }

    /// <summary>The timeout timer of the ping waiting on <paramref name="id"/>.</summary>
    private static FakeRouterContext.FakeTimer Waiting(FakeDetectorContext context, FailureDetector detector, ulong id)
    {
        var timer = Assert.IsType<FakeRouterContext.FakeTimer>(detector.Target(id)!.PingTimeout);
        Assert.Contains(timer, context.Timers);
        return timer;
    }

    /// <summary>Lets the re-ping waiting on <paramref name="id"/> time out (the clock moves by its timeout).</summary>
    private static void TimeOut(FakeDetectorContext context, FailureDetector detector, ulong id)
    {
        var timer = Waiting(context, detector, id);
        context.Now += timer.Due;
        timer.Fire();
    }

    /// <summary>The next ping round: the clock moves by an interval, the misses are counted, the pings go out.</summary>
    private static void NextRound(FakeDetectorContext context, FailureDetector detector)
    {
        context.Now += Interval;
        detector.CountMissedPings();
        detector.PingTargets();
    }

    /// <summary>
    /// <paramref name="id"/> answers nothing from now on (its round ping is out): the next round counts its first miss
    /// and re-pings it, then each re-ping times out until it is asked over TCP.
    /// </summary>
    private static void SilentUntilAsked(FakeDetectorContext context, FailureDetector detector, ulong id)
    {
        NextRound(context, detector);
        context.TakeFirstMissQuestion(id);
        while (detector.Target(id) is { Confirming: false, PingTimeout: not null })
            TimeOut(context, detector, id);
    }

    [Fact]
    public void Each_round_pings_every_live_successor_at_its_rank_in_the_original_words_and_never_a_dead_candidate()
    {
        var (detector, context, neighborhood, _) = DetectorAt(9, 14, 19);

        detector.PingTargets();
        Pong(detector, context, 19);
        Assert.Equal([(14UL, 1), (19UL, 2)], context.TakePings());

        neighborhood.DeclareDead([14UL], context.Now);
        detector.PingTargets();
        Pong(detector, context, 19);
        Assert.Equal([(19UL, 1)], context.TakePings());

        neighborhood.DeclareDead([19UL], context.Now);   // kept as a candidate: asked over TCP by repair, not pinged
        detector.PingTargets();
        Assert.Empty(context.TakePings());
        Assert.Equal(["Ping requests sent to Peers 14 and 19", "Ping request sent to Peer 19"], context.EventTexts.Where(t => t.StartsWith("Ping request", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_ping_is_answered_under_its_own_sequence_and_teaches_the_neighborhood_its_predecessor()
    {
        var (detector, context, neighborhood, _) = DetectorAt(9, 14, 19);

        detector.HandlePing(P(8).ToEndPoint(), 77, new PingRequest { Sender = P(8), IdBits = 8, Rank = 1 });

        var pong = Assert.Single(context.Datagrams);
        Assert.Equal((77u, 9UL, P(8).Port), (pong.Sequence, Assert.IsType<PingResponse>(pong.Message).Sender.Id, pong.To.Port));
        Assert.Equal(8UL, neighborhood.FirstPredecessor!.Id);
        Assert.Equal(["Ping request message received from Peer 8"], context.EventTexts);
    }

    [Fact]
    public void A_rounds_ping_waits_for_the_next_round_and_a_re_ping_as_long_as_the_measured_round_trips_say()
    {
        var (detector, context, _, _) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Assert.Null(detector.Target(14)!.PingTimeout);                   // the next round counts it, as before RTT
        Pong(detector, context, 19);
        NextRound(context, detector);                                    // 14 missed it: re-pinged, nothing measured yet
        Assert.Equal(ProbePeriod, Waiting(context, detector, 14).Due);   // RFC 6298's initial timeout, capped by the probe period
        Assert.Null(detector.Target(19)!.PingTimeout);

        var target = detector.Target(14)!;
        var rePing = Waiting(context, detector, 14);
        Pong(detector, context, 14, after: TimeSpan.FromMilliseconds(5)); // Karn: an answer to a re-ping measures nothing
        Assert.Equal((0, (TimeSpan?)null, (uint?)null), (target.Rtt.Samples, target.Rtt.LastSample, target.OutstandingPing));
        Assert.True(rePing.Disposed);

        NextRound(context, detector);
        Pong(detector, context, 14, after: TimeSpan.FromMilliseconds(100)); // a round's ping sent once: a sample
        Assert.Equal((1, TimeSpan.FromMilliseconds(100)), (target.Rtt.Samples, target.Rtt.LastSample));
        Assert.Equal(TimeSpan.FromMilliseconds(300), target.Rtt.Timeout);    // SRTT 100 + 4 × RTTVAR 50

        NextRound(context, detector);
        Pong(detector, context, 14, after: TimeSpan.FromMilliseconds(1));
        Assert.True(target.Rtt.Timeout >= FailureDetector.PingTimeoutFloor);
        for (var i = 0; i < 8; i++)
        {
            NextRound(context, detector);
            Pong(detector, context, 14, after: TimeSpan.FromSeconds(30)); // far beyond the interval: the ceiling holds
        }
        Assert.Equal(ProbePeriod, target.Rtt.Timeout);
    }

    [Fact]
    public void A_missed_ping_is_asked_again_with_the_timeout_doubled_silently_after_the_rounds_own_and_its_answer_is_no_sample()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Pong(detector, context, 14, after: TimeSpan.FromMilliseconds(100));
        Pong(detector, context, 19);
        detector.PingTargets();
        Pong(detector, context, 19);

        NextRound(context, detector);                                      // 14 missed the round: a suspect
        var target = detector.Target(14)!;
        Assert.Equal((1, true), (target.MissedPings, target.Resent));
        Assert.Equal(TimeSpan.FromMilliseconds(600), Waiting(context, detector, 14).Due);   // 300 ms doubled
        Pong(detector, context, 19);
        context.Datagrams.Clear();
        var events = context.Events.Count;

        TimeOut(context, detector, 14);
        Assert.Equal([(14UL, 1)], context.PingsSent());                    // re-pinged at once, at its rank
        Assert.Equal(events, context.Events.Count);                        // without a word
        Assert.Equal((2, TimeSpan.FromMilliseconds(1200)), (target.MissedPings, Waiting(context, detector, 14).Due));

        Pong(detector, context, 14, after: TimeSpan.FromMilliseconds(5));  // Karn: the answer to a re-ping measures nothing
        Assert.Equal((0, 1, TimeSpan.FromMilliseconds(100)), (target.MissedPings, target.Rtt.Samples, target.Rtt.LastSample));
        Assert.Equal(TimeSpan.FromMilliseconds(1200), target.Rtt.Timeout); // and the backed-off timeout stays
        Assert.Empty(dead);
        Assert.Equal([14UL], context.Sent.Select(s => s.To.Id));           // only the question at its first miss: no confirmation
    }

    [Fact]
    public void A_late_answer_to_an_earlier_ping_is_proof_of_life_but_no_sample()
    {
        var (detector, context, _, _) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        var first = context.Datagrams.First(d => d.To.Port == P(14).Port);
        NextRound(context, detector);
        var target = detector.Target(14)!;
        Assert.Equal(1, target.MissedPings);

        detector.HandlePong(P(14).ToEndPoint(), first.Sequence, new PingResponse { Sender = P(14), IdBits = 8 });

        Assert.Equal((0, 0, (uint?)null), (target.MissedPings, target.Rtt.Samples, target.OutstandingPing));
        Assert.Null(target.PingTimeout);                                   // its re-pings stop
        detector.HandlePong(P(2).ToEndPoint(), 1, new PingResponse { Sender = P(2), IdBits = 8 });
        Assert.Null(detector.Target(2));
        Assert.DoesNotContain("Ping response received from Peer 2", context.EventTexts);
    }

    [Fact]
    public void A_pong_counts_only_from_the_endpoint_the_ping_went_to_under_a_sequence_sent_to_it_and_only_once()
    {
        var (detector, context, _, _) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        var ping = context.Datagrams.Last(d => d.To.Port == P(14).Port);
        NextRound(context, detector);
        var target = detector.Target(14)!;
        var elsewhere = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 40111);

        detector.HandlePong(elsewhere, ping.Sequence, new PingResponse { Sender = P(14), IdBits = 8 });         // spoofed: another endpoint
        detector.HandlePong(P(14).ToEndPoint(), ping.Sequence + 1000, new PingResponse { Sender = P(14), IdBits = 8 }); // a sequence never sent to it
        Assert.Equal(1, target.MissedPings);

        detector.HandlePong(P(14).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(14), IdBits = 8 });
        Assert.Equal(0, target.MissedPings);
        Assert.Single(context.EventTexts, t => t == "Ping response received from Peer 14");
        detector.HandlePong(P(14).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(14), IdBits = 8 });  // a duplicate
        Assert.Single(context.EventTexts, t => t == "Ping response received from Peer 14");
    }

    [Fact]
    public void Missed_pings_only_make_a_suspect_which_is_dead_once_it_also_fails_to_answer_over_tcp_and_the_death_carries_the_evidence()
    {
        var (detector, context, neighborhood, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Pong(detector, context, 14, after: TimeSpan.FromMilliseconds(100));
        Pong(detector, context, 19);
        detector.PingTargets();
        Pong(detector, context, 19);
        SilentUntilAsked(context, detector, 14);                           // the round, then 600 and 1200 ms: the limit of 3

        var ask = Assert.Single(context.Sent);
        Assert.Equal(14UL, ask.To.Id);
        Assert.IsType<NeighborsRequest>(ask.Request);
        Assert.Equal(TimeSpan.FromMilliseconds(4800), ask.Timeout);        // two round trips at the backed-off 2.4 s
        Assert.True(detector.Target(14)!.Confirming);
        Assert.Null(detector.Target(14)!.PingTimeout);                     // no more re-pings while asked
        Assert.Equal(1, detector.ConfirmationsUnderWay);
        Assert.Empty(dead);                                                // datagram loss alone kills nobody

        ask.Answer();
        Assert.Empty(dead);
        Assert.Equal((0, 0), (detector.Target(14)!.MissedPings, detector.ConfirmationsUnderWay));

        neighborhood.HeardIncarnation(14, 7);                              // from its pongs, through the peer's intake
        detector.PingTargets();
        SilentUntilAsked(context, detector, 14);
        context.Sent[^1].Fail();
        var evidence = Assert.Single(dead);
        Assert.Equal(7UL, evidence.Incarnation);                           // the incarnation that is declared dead
        Assert.Equal((14UL, 3, TimeSpan.FromMilliseconds(100)), (evidence.PeerId, evidence.MissedPings, evidence.LastRoundTrip));
        Assert.Equal(ProbePeriod, evidence.PingTimeout);                   // backed off 2.4 s → the 2.5 s ceiling
        Assert.Equal(ProbePeriod * 2, evidence.ConfirmTimeout);
    }

    [Fact]
    public void At_its_first_miss_a_suspect_is_asked_over_tcp_at_once_and_a_refusal_is_a_death_with_nothing_left_to_wait_for()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Pong(detector, context, 19);
        Assert.Empty(context.Sent);                                         // no miss yet: nothing asked
        NextRound(context, detector);                                       // 14 missed the round

        var question = Assert.Single(context.Sent);
        Assert.Equal(14UL, question.To.Id);
        Assert.IsType<NeighborsRequest>(question.Request);
        Assert.False(detector.Target(14)!.Confirming);                      // beside the re-pings, not instead of them
        Assert.NotNull(detector.Target(14)!.PingTimeout);
        context.Now += TimeSpan.FromMilliseconds(3);
        question.Fail();                                                    // refused at once: its host is up, nothing listens

        var evidence = Assert.Single(dead);
        Assert.Equal((14UL, 1), (evidence.PeerId, evidence.MissedPings));
    }

    [Fact]
    public void A_first_miss_question_answered_ends_the_suspicion_and_one_that_times_out_decides_nothing()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Pong(detector, context, 19);
        NextRound(context, detector);
        Pong(detector, context, 19);
        context.Sent.Single().Answer();                                     // a lost datagram: TCP says it is there
        Assert.Equal((0, (uint?)null), (detector.Target(14)!.MissedPings, detector.Target(14)!.OutstandingPing));
        Assert.Null(detector.Target(14)!.PingTimeout);                      // its re-pings stop
        Assert.Null(detector.Target(14)!.Indirect);

        context.Sent.Clear();
        NextRound(context, detector);                                       // a round ping, which it leaves unanswered
        Pong(detector, context, 19);
        NextRound(context, detector);
        var question = Assert.Single(context.Sent);
        context.Now += question.Timeout;
        question.Fail(new TimeoutException("did not answer"));              // silence for the whole wait: as dark as a short cut
        Assert.Empty(dead);
        Assert.Equal(1, detector.Target(14)!.MissedPings);                  // still a suspect, left to its misses
        Assert.NotNull(detector.Target(14)!.PingTimeout);
    }

    [Fact]
    public void An_answer_to_a_ping_while_the_suspect_is_asked_over_tcp_keeps_it_alive_when_the_question_fails()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        SilentUntilAsked(context, detector, 14);
        Assert.Single(context.Sent, s => s.To.Id == 14);

        NextRound(context, detector);                                       // the next round pings it again
        Pong(detector, context, 14);                                        // the partition healed
        context.Sent.Single(s => s.To.Id == 14).Fail();                     // the question asked across it times out after

        Assert.DoesNotContain(dead, d => d.PeerId == 14);
    }

    [Fact]
    public void A_suspect_that_answers_with_another_ring_secret_is_alive_not_dead()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Pong(detector, context, 19);
        SilentUntilAsked(context, detector, 14);

        context.Sent.Single(s => s.To.Id == 14).Fail(new DhtAuthenticationException(P(14).ToEndPoint(), "another secret"));

        Assert.Empty(dead);
        Assert.Equal(0, detector.Target(14)!.MissedPings);
    }

    [Fact]
    public void A_confirmation_that_fails_once_the_suspect_has_left_the_list_or_the_peer_stopped_running_declares_nobody()
    {
        var (detector, context, neighborhood, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        NextRound(context, detector);                                       // both missed the round
        context.TakeFirstMissQuestion(14);                                  // dark: unanswered
        context.TakeFirstMissQuestion(19);
        for (var miss = 0; miss < 2; miss++)
        {
            TimeOut(context, detector, 14);
            TimeOut(context, detector, 19);
        }
        Assert.Equal([14UL, 19UL], context.Sent.Select(s => s.To.Id));

        neighborhood.SetSuccessors([P(15), P(19)]);   // 15 joined before 14, which departed meanwhile
        context.Sent[0].Fail();
        context.IsRunning = false;
        context.Sent[1].Fail();

        Assert.Empty(dead);
        Assert.Equal(0, detector.Target(15)!.MissedPings);
    }

    [Fact]
    public void A_new_list_keeps_the_probe_state_of_the_successors_that_stay_and_a_changed_or_new_one_starts_afresh()
    {
        var (detector, context, neighborhood, _) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        NextRound(context, detector);
        var waitingOn19 = Waiting(context, detector, 19);

        neighborhood.SetSuccessors([P(14), P(19) with { Port = 9 }, P(2)]);

        Assert.Equal(1, detector.Target(14)!.MissedPings);
        Assert.Equal(0, detector.Target(19)!.MissedPings);   // restarted elsewhere: a new peer as far as probes go
        Assert.True(waitingOn19.Disposed);                    // and the old one's re-ping no longer counts
        Assert.Equal([(14UL, 1), (19UL, 2), (2UL, 3)], detector.Targets.Select(t => (t.Contact.Id, t.Rank)));

        neighborhood.DeclareDead([14UL], context.Now);
        Assert.Null(detector.Target(14));
        Assert.Equal([(19UL, 1), (2UL, 2)], detector.Targets.Select(t => (t.Contact.Id, t.Rank)));
    }

    [Fact]
    public void Stopping_ends_every_wait_so_no_timeout_counts_afterwards()
    {
        var (detector, context, _, _) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        NextRound(context, detector);
        var timers = context.Timers.ToArray();
        Assert.NotEmpty(timers);

        detector.Stop();

        Assert.All(timers, t => Assert.True(t.Disposed));
        Assert.All(detector.Targets, t => Assert.Null(t.PingTimeout));
    }

    [Fact]
    public void A_peer_starts_at_an_incarnation_from_its_start_time_carries_it_with_its_deaths_and_raises_it_only_to_refute()
    {
        var (detector, context, neighborhood, _) = DetectorAt(9, 14, 19);
        var started = (ulong)context.Now.ToUnixTimeMilliseconds();
        Assert.Equal(Math.Max(1, started), detector.Incarnation);   // a restart comes back above it, with nothing stored
        neighborhood.HeardIncarnation(30, 4);
        neighborhood.HeardDeath(30, 4, context.Now);

        detector.PingTargets();
        detector.HandlePing(P(8).ToEndPoint(), 5, new PingRequest { Sender = P(8), IdBits = 8, Rank = 1 });
        Assert.All(context.Datagrams.Select(d => (ILivenessGossip)d.Message), gossip =>
        {
            Assert.Equal(detector.Incarnation, gossip.Incarnation);
            Assert.Equal([new PeerIncarnation(30, 4)], gossip.Deaths);
        });

        var now = detector.Incarnation;
        detector.Refute(now - 1);                                    // an older death: no news
        Assert.Equal(now, detector.Incarnation);
        detector.Refute(now);                                        // held dead at this one: alive, one higher
        Assert.Equal(now + 1, detector.Incarnation);
    }

    [Fact]
    public void A_death_told_of_a_successor_makes_it_a_suspect_re_pinged_at_once_and_its_own_pings_decide()
    {
        var (detector, context, neighborhood, dead) = DetectorAt(9, 14, 19);
        detector.PingTargets();
        Pong(detector, context, 14);
        Pong(detector, context, 19);
        context.Datagrams.Clear();

        neighborhood.HeardDeath(19, 3, context.Now);

        Assert.Equal([(19UL, 2)], context.PingsSent());
        Assert.True(detector.Target(19)!.Resent);
        Pong(detector, context, 19);                                 // it answers: the rumour was wrong
        Assert.Empty(dead);
        Assert.Empty(context.Sent);
        Assert.Equal(0, detector.Target(19)!.MissedPings);
    }
}
