using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Tests.Unit.Peer.Routing;

namespace DhtPs.Tests.Unit.Peer.FailureDetection;

/// <summary>
/// SWIM's indirect probes and Lifeguard's awareness in the failure detector alone, against a fake context, at peer 9 with
/// successors 14 and 19: who is asked to ping a suspect, which answers count, when the question over TCP follows, how
/// long it waits, and the helper's side of a ping-req.
/// </summary>
public sealed class IndirectProbeTests
{
    /// <summary>10 s: the probe period (a ping's longest wait) is 2.5 s, the confirmed wait of the TCP question 5 s.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static (FailureDetector Detector, FakeDetectorContext Context, List<FailureEvidence> Dead) DetectorAt(ulong self, int indirectProbes, params ulong[] successors)
    {
        var options = new PeerOptions { Id = self, PingInterval = Interval, MissedPingLimit = 3, IndirectProbes = indirectProbes };
        var neighborhood = new Neighborhood(new IdSpace(8), self, options);
        neighborhood.SetSuccessors(successors.Select(P));
        var context = new FakeDetectorContext(self);
        var detector = new FailureDetector(context, neighborhood, options);
        var dead = new List<FailureEvidence>();
        detector.Dead += dead.Add;
        return (detector, context, dead);
    }

    private static void Pong(FailureDetector detector, FakeDetectorContext context, ulong to)
    {
        var ping = context.Datagrams.Last(d => d.Message is PingRequest && d.To.Port == P(to).Port);
        detector.HandlePong(P(to).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(to), IdBits = 8 });
    }

    /// <summary>A round in which 19 answers and 14 does not: the next round counts 14's first miss.</summary>
    private static void FourteenMissesARound(FailureDetector detector, FakeDetectorContext context)
    {
        detector.PingTargets();
        Pong(detector, context, 19);
        context.Now += Interval;
        detector.CountMissedPings();
        detector.PingTargets();
        context.TakeFirstMissQuestion(14); // silence: it decides nothing
    }

    /// <summary>Every re-ping waiting on 14 times out, until none waits (its misses have run out).</summary>
    private static void RePingsTimeOut(FailureDetector detector, FakeDetectorContext context)
    {
        while (detector.Target(14)!.PingTimeout is FakeRouterContext.FakeTimer timer)
        {
            context.Now += timer.Due;
            timer.Fire();
        }
    }

    private static FakeDetectorContext.Datagram[] PingRequestsSent(FakeDetectorContext context) =>
        [.. context.Datagrams.Where(d => d.Message is IndirectPingRequest)];

    private static IndirectPingAck Ack(ulong helper, bool nack = false) => new() { Sender = P(helper), IdBits = 8, Target = P(14), Nack = nack };

    [Fact]
    public void At_its_first_miss_a_suspect_is_pinged_through_k_distinct_helpers_never_itself_nor_the_asker()
    {
        var (detector, context, _) = DetectorAt(9, 3, 14, 19);
        context.Helpers.AddRange([P(14), P(8), P(9), P(8), P(7), P(3), P(2)]);

        detector.PingTargets();
        Pong(detector, context, 19);
        Assert.Empty(PingRequestsSent(context));                          // answered or not yet missed: nobody is asked
        context.Now += Interval;
        detector.CountMissedPings();

        var asked = PingRequestsSent(context);
        Assert.Equal([P(8).Port, P(7).Port, P(3).Port], asked.Select(d => d.To.Port));
        Assert.All(asked, d => Assert.Equal(P(14), ((IndirectPingRequest)d.Message).Target));
        Assert.Equal(3, asked.Select(d => d.Sequence).Distinct().Count()); // one sequence number per helper
        Assert.Equal(3, detector.Target(14)!.Indirect!.Asked);
    }

    [Fact]
    public void With_indirect_probes_off_or_no_helper_nobody_is_asked_and_the_question_over_tcp_follows_the_re_pings_at_once()
    {
        foreach (var (probes, helpers) in new[] { (0, new[] { P(8), P(7) }), (3, new[] { P(14), P(9) }) })
        {
            var (detector, context, _) = DetectorAt(9, probes, 14, 19);
            context.Helpers.AddRange(helpers);
            FourteenMissesARound(detector, context);
            RePingsTimeOut(detector, context);

            Assert.Empty(PingRequestsSent(context));
            Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(context.Sent).Timeout); // 2 × the backed-off 2.5 s: nothing to scale
        }
    }

    [Fact]
    public void An_ack_counts_only_under_a_sequence_it_was_asked_under_from_the_helper_asked_about_the_suspect_and_once()
    {
        var (detector, context, _) = DetectorAt(9, 3, 14, 19);
        context.Helpers.AddRange([P(8), P(7)]);
        FourteenMissesARound(detector, context);
        var (to8, to7) = (PingRequestsSent(context)[0], PingRequestsSent(context)[1]);
        var target = detector.Target(14)!;

        detector.HandleIndirectAck(P(5).ToEndPoint(), to8.Sequence, Ack(5));        // a stranger, under a real sequence
        detector.HandleIndirectAck(P(8).ToEndPoint(), to7.Sequence, Ack(8));        // a helper, under another helper's sequence
        detector.HandleIndirectAck(P(8).ToEndPoint(), to8.Sequence + 100, Ack(8));  // a sequence never asked
        detector.HandleIndirectAck(P(8).ToEndPoint(), to8.Sequence, Ack(8) with { Target = P(19) }); // about someone else
        Assert.Equal(1, target.MissedPings);

        detector.HandleIndirectAck(P(8).ToEndPoint(), to8.Sequence, Ack(8));
        Assert.Equal((0, (IndirectProbe?)null, (uint?)null), (target.MissedPings, target.Indirect, target.OutstandingPing));
        Assert.Null(target.PingTimeout);                                   // its re-pings stop: it is alive
        Assert.Equal(0, target.Rtt.Samples);                               // the long way round is no round-trip sample

        // Suspected again: the old answer, replayed, does not clear the new suspicion.
        detector.PingTargets();
        Pong(detector, context, 19);
        context.Now += Interval;
        detector.CountMissedPings();
        detector.PingTargets();
        context.TakeFirstMissQuestion(14);
        Assert.Equal(1, target.MissedPings);
        detector.HandleIndirectAck(P(8).ToEndPoint(), to8.Sequence, Ack(8));
        detector.HandleIndirectAck(P(7).ToEndPoint(), to7.Sequence, Ack(7));
        Assert.Equal(1, target.MissedPings);
        RePingsTimeOut(detector, context);
        Assert.Empty(context.Sent);                                        // out of misses, but the helpers are still awaited
        Assert.True(target.AwaitingHelpers);
    }

    [Fact]
    public void Without_an_answer_the_suspect_is_asked_over_tcp_once_the_helpers_wait_is_over_and_nacks_shorten_that_question()
    {
        var (detector, context, dead) = DetectorAt(9, 3, 14, 19);
        context.Helpers.AddRange([P(8), P(7), P(3)]);
        FourteenMissesARound(detector, context);
        var probe = detector.Target(14)!.Indirect!;
        Assert.Equal(TimeSpan.FromSeconds(5), probe.Wait);                // two of its ping timeouts (backed off to the 2.5 s ceiling)
        foreach (var (request, helper) in PingRequestsSent(context).Zip(new ulong[] { 8, 7, 3 }))
            detector.HandleIndirectAck(P(helper).ToEndPoint(), request.Sequence, Ack(helper, nack: true));
        RePingsTimeOut(detector, context);
        Assert.Empty(context.Sent);

        Assert.IsType<FakeRouterContext.FakeTimer>(probe.Timer).Fire();
        var question = Assert.Single(context.Sent);
        Assert.Equal(TimeSpan.FromSeconds(5), question.Timeout);            // every helper confirmed: the confirmed wait
        Assert.Equal(0, detector.Health.Score);                             // every helper answered: this peer is fine

        question.Fail();
        var evidence = Assert.Single(dead);
        Assert.Equal((3, 3, 0), (evidence.HelpersAsked, evidence.Nacks, evidence.LocalHealth));
    }

    [Fact]
    public void A_peer_whose_helpers_all_stay_silent_counts_itself_unhealthy_and_waits_longest_before_it_accuses()
    {
        var (detector, context, _) = DetectorAt(9, 3, 14, 19);
        context.Helpers.AddRange([P(8), P(7), P(3)]);
        FourteenMissesARound(detector, context);
        RePingsTimeOut(detector, context);

        Assert.IsType<FakeRouterContext.FakeTimer>(detector.Target(14)!.Indirect!.Timer).Fire();

        Assert.Equal(3, detector.Health.Score);                             // three missing nacks (Lifeguard)
        // Unconfirmed: 5 s × 3 × log10(N ≈ 51) ≈ 25.6 s, × 4 for its health, capped at (limit + 1) intervals.
        Assert.Equal(Interval * 4, detector.Target(14)!.ConfirmWait);
        Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(context.Sent).Timeout); // asked in questions of the confirmed wait
    }

    [Fact]
    public void A_long_wait_is_asked_in_questions_of_the_confirmed_wait_so_a_suspect_back_meanwhile_answers_the_next_one()
    {
        foreach (var back in new[] { true, false })
        {
            var (detector, context, dead) = DetectorAt(9, 3, 14, 19);
            context.Helpers.AddRange([P(8), P(7), P(3)]);
            FourteenMissesARound(detector, context);
            RePingsTimeOut(detector, context);
            Assert.IsType<FakeRouterContext.FakeTimer>(detector.Target(14)!.Indirect!.Timer).Fire(); // silent helpers: 40 s in all
            for (var asked = 1; asked <= 8; asked++)
            {
                var question = Assert.Single(context.Sent);
                Assert.Equal(TimeSpan.FromSeconds(5), question.Timeout);
                context.Sent.Clear();
                if (back && asked == 3)
                {
                    question.Answer();                                      // restarted meanwhile: the third question reaches it
                    break;
                }
                context.Now += question.Timeout;
                question.Fail(new TimeoutException("did not answer"));
                Assert.Equal(asked < 8 ? 0 : 1, dead.Count);                // dead only once the whole wait is over
            }
            Assert.Equal(back ? 0 : 1, dead.Count);
            Assert.Equal(back ? 0 : 3, detector.Target(14)?.MissedPings ?? 3);
        }
    }

    [Fact]
    public void A_death_heard_of_the_suspect_is_a_confirmation_too()
    {
        var options = new PeerOptions { Id = 9, PingInterval = Interval, MissedPingLimit = 3, IndirectProbes = 3 };
        var neighborhood = new Neighborhood(new IdSpace(8), 9, options);
        neighborhood.SetSuccessors([P(14), P(19)]);
        var context = new FakeDetectorContext(9);
        context.Helpers.Add(P(8));
        var detector = new FailureDetector(context, neighborhood, options);
        FourteenMissesARound(detector, context);

        neighborhood.HeardDeath(14, 5, context.Now);                        // another peer declared it dead
        Assert.Equal(1, detector.Target(14)!.DeathsHeard);
        RePingsTimeOut(detector, context);
        Assert.IsType<FakeRouterContext.FakeTimer>(detector.Target(14)!.Indirect!.Timer).Fire();

        // One silent helper (health 1, × 2), but one confirmation of the one expected: the confirmed wait, doubled.
        Assert.Equal(TimeSpan.FromSeconds(10), detector.Target(14)!.ConfirmWait);
    }

    [Fact]
    public void A_death_heard_of_a_suspect_out_of_misses_is_declared_at_once_and_the_live_successors_are_told_at_once()
    {
        foreach (var withHelpers in new[] { true, false })
        {
            var options = new PeerOptions { Id = 9, PingInterval = Interval, MissedPingLimit = 3, IndirectProbes = 3 };
            var neighborhood = new Neighborhood(new IdSpace(8), 9, options);
            neighborhood.SetSuccessors([P(14), P(19)]);
            var context = new FakeDetectorContext(9);
            if (withHelpers)
                context.Helpers.Add(P(8));
            var detector = new FailureDetector(context, neighborhood, options);
            var dead = new List<FailureEvidence>();
            detector.Dead += dead.Add;
            FourteenMissesARound(detector, context);
            if (withHelpers)
            {
                var request = Assert.Single(PingRequestsSent(context));
                detector.HandleIndirectAck(P(8).ToEndPoint(), request.Sequence, Ack(8, nack: true)); // its helper confirms
            }
            RePingsTimeOut(detector, context);                                  // out of misses: awaiting the helpers, or asked over TCP
            Assert.True(detector.Target(14) is { AwaitingHelpers: true } or { Confirming: true });
            Assert.Empty(dead);
            context.Datagrams.Clear();

            neighborhood.HeardDeath(14, 5, context.Now);                        // another peer finished its verdict first

            var evidence = Assert.Single(dead);
            Assert.True(evidence.DeclaredElsewhere);
            Assert.Equal((14UL, 3), (evidence.PeerId, evidence.MissedPings));
            Assert.Contains((19UL, 2), context.PingsSent());                    // told on at once, not at the next round
        }
    }

    [Fact]
    public void A_peer_whose_helpers_stay_silent_keeps_its_own_long_wait_when_told_a_death()
    {
        var options = new PeerOptions { Id = 9, PingInterval = Interval, MissedPingLimit = 3, IndirectProbes = 3 };
        var neighborhood = new Neighborhood(new IdSpace(8), 9, options);
        neighborhood.SetSuccessors([P(14), P(19)]);
        var context = new FakeDetectorContext(9);
        context.Helpers.AddRange([P(8), P(7), P(3)]);
        var detector = new FailureDetector(context, neighborhood, options);
        var dead = new List<FailureEvidence>();
        detector.Dead += dead.Add;
        FourteenMissesARound(detector, context);
        RePingsTimeOut(detector, context);
        Assert.IsType<FakeRouterContext.FakeTimer>(detector.Target(14)!.Indirect!.Timer).Fire(); // no helper answered: health 3
        Assert.True(detector.Target(14)!.Confirming);

        neighborhood.HeardDeath(14, 5, context.Now);                        // told by a peer that may be cut off with this one

        Assert.Empty(dead);
        Assert.Equal(1, detector.Target(14)!.DeathsHeard);
    }

    [Fact]
    public void A_death_heard_of_a_successor_not_yet_out_of_misses_only_makes_it_a_suspect()
    {
        var options = new PeerOptions { Id = 9, PingInterval = Interval, MissedPingLimit = 3, IndirectProbes = 3 };
        var neighborhood = new Neighborhood(new IdSpace(8), 9, options);
        neighborhood.SetSuccessors([P(14), P(19)]);
        var context = new FakeDetectorContext(9);
        var detector = new FailureDetector(context, neighborhood, options);
        var dead = new List<FailureEvidence>();
        detector.Dead += dead.Add;
        detector.PingTargets();
        Pong(detector, context, 14);
        Pong(detector, context, 19);
        context.Datagrams.Clear();

        neighborhood.HeardDeath(14, 5, context.Now);                        // it answered this peer's last ping

        Assert.Empty(dead);                                                 // its own pings still decide
        Assert.Equal([(14UL, 1)], context.PingsSent());                     // re-pinged at once
    }

    [Fact]
    public void A_late_round_a_refute_and_answered_pings_move_the_local_health_score()
    {
        var (detector, context, _) = DetectorAt(9, 3, 14, 19);
        detector.CountMissedPings();
        context.Now += Interval * 2;                                        // the round fired an interval late: this peer stalled
        detector.CountMissedPings();
        Assert.Equal(1, detector.Health.Score);
        detector.Refute(detector.Incarnation);
        Assert.Equal(2, detector.Health.Score);
        detector.Refute(1);                                                 // an old death: no news, no worse
        Assert.Equal(2, detector.Health.Score);

        detector.PingTargets();
        Pong(detector, context, 14);
        Pong(detector, context, 19);
        Assert.Equal(0, detector.Health.Score);                             // two probes answered in time
    }

    [Fact]
    public void As_a_helper_a_peer_pings_the_target_indirectly_and_relays_its_answer_under_the_askers_sequence()
    {
        var (detector, context, _) = DetectorAt(8, 3, 9, 14);
        var asker = P(5).ToEndPoint();
        detector.HandleIndirectPingRequest(asker, 4242, new IndirectPingRequest { Sender = P(5), IdBits = 8, Target = P(20) });

        var ping = Assert.Single(context.Datagrams);
        var indirect = Assert.IsType<PingRequest>(ping.Message);
        Assert.Equal((P(20).Port, true, 0), (ping.To.Port, indirect.Indirect, indirect.Rank));

        detector.HandlePong(P(21).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(20), IdBits = 8 }); // not from the target's endpoint
        Assert.Single(context.Datagrams);
        detector.HandlePong(P(20).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(20), IdBits = 8 });
        var relayed = context.Datagrams[^1];
        Assert.Equal((asker.Port, 4242u), (relayed.To.Port, relayed.Sequence));
        Assert.Equal((P(20), false), (Assert.IsType<IndirectPingAck>(relayed.Message).Target, ((IndirectPingAck)relayed.Message).Nack));
        Assert.Equal(0, detector.RelaysUnderWay);

        detector.HandlePong(P(20).ToEndPoint(), ping.Sequence, new PingResponse { Sender = P(20), IdBits = 8 }); // a duplicate relays nothing
        Assert.Equal(2, context.Datagrams.Count);
    }

    [Fact]
    public void As_a_helper_a_peer_nacks_when_the_target_stays_silent_for_a_probe_period_and_ignores_a_request_about_itself()
    {
        var (detector, context, _) = DetectorAt(8, 3, 9, 14);
        detector.HandleIndirectPingRequest(P(5).ToEndPoint(), 7, new IndirectPingRequest { Sender = P(5), IdBits = 8, Target = P(8) });
        Assert.Empty(context.Datagrams);

        detector.HandleIndirectPingRequest(P(5).ToEndPoint(), 7, new IndirectPingRequest { Sender = P(5), IdBits = 8, Target = P(20) });
        var nackTimer = context.Timers[^1];
        Assert.Equal(Interval / 4, nackTimer.Due);
        nackTimer.Fire();

        var nack = Assert.IsType<IndirectPingAck>(context.Datagrams[^1].Message);
        Assert.Equal((7u, true), (context.Datagrams[^1].Sequence, nack.Nack));
        Assert.Equal(0, detector.RelaysUnderWay);
    }

    [Fact]
    public void An_indirect_ping_is_answered_and_teaches_no_predecessor()
    {
        var options = new PeerOptions { Id = 20, PingInterval = Interval };
        var neighborhood = new Neighborhood(new IdSpace(8), 20, options);
        var context = new FakeDetectorContext(20);
        var detector = new FailureDetector(context, neighborhood, options);

        detector.HandlePing(P(8).ToEndPoint(), 31, new PingRequest { Sender = P(8), IdBits = 8, Rank = 0, Indirect = true });

        Assert.Equal(31u, Assert.Single(context.Datagrams, d => d.Message is PingResponse).Sequence);
        Assert.Empty(neighborhood.Predecessors);
    }

    [Fact]
    public void The_suspicion_timeout_falls_from_beta_log_n_times_the_confirmed_wait_to_it_with_the_confirmations()
    {
        var confirmed = TimeSpan.FromSeconds(1);
        Assert.Equal(confirmed, Suspicion.Timeout(confirmed, 1000, 0, expected: 0));                 // nobody could confirm: nothing to scale
        Assert.Equal(TimeSpan.FromSeconds(9), Suspicion.Timeout(confirmed, 1000, 0, expected: 3));   // 3 × log10(1000)
        Assert.Equal(confirmed, Suspicion.Timeout(confirmed, 1000, 3, expected: 3));
        Assert.Equal(confirmed, Suspicion.Timeout(confirmed, 1000, 9, expected: 3));                 // more than expected counts as all
        var waits = Enumerable.Range(0, 4).Select(c => Suspicion.Timeout(confirmed, 1000, c, 3)).ToArray();
        Assert.Equal(waits.OrderDescending(), waits);
        Assert.True(Suspicion.Timeout(confirmed, 10_000, 0, 3) > Suspicion.Timeout(confirmed, 100, 0, 3)); // grows with log N
        Assert.Equal(confirmed, Suspicion.Timeout(confirmed, 2, 0, 3));                              // a tiny ring: never below it
    }

    [Fact]
    public void The_ring_size_is_estimated_from_how_far_the_successor_list_reaches()
    {
        var space = new IdSpace(8);
        Assert.Equal(64, Suspicion.EstimateRingSize(space, 0, [4, 8]), 3);     // 2 successors over 8 of 256 ids
        Assert.Equal(3, Suspicion.EstimateRingSize(space, 0, [100, 200]), 3);  // at least r + 1
        Assert.Equal(1, Suspicion.EstimateRingSize(space, 0, []));
        Assert.Equal(64, Suspicion.EstimateRingSize(space, 250, [254, 2]), 3); // across zero
    }

    [Fact]
    public void The_local_health_score_stays_between_zero_and_eight()
    {
        var health = new LocalHealth();
        health.Better();
        Assert.Equal((0, 1), (health.Score, health.Multiplier));
        health.Worse(20);
        Assert.Equal((LocalHealth.MaxScore, 9), (health.Score, health.Multiplier));
        health.Better();
        Assert.Equal(7, health.Score);
    }
}
