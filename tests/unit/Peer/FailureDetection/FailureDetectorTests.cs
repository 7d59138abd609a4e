using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Peer.FailureDetection;

/// <summary>
/// The failure detector alone, against a fake context, at peer 9 of the SPEC's ring with successors 14 and 19: what each
/// round pings, how a missed ping becomes a suspect, a probe, a confirmation over TCP and only then a death.
/// </summary>
public sealed class FailureDetectorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static (FailureDetector Detector, FakeDetectorContext Context, Neighborhood Neighborhood, List<ulong> Dead) DetectorAt(ulong self, params ulong[] successors)
    {
        var options = new PeerOptions { Id = self, PingInterval = Interval, MissedPingLimit = 3 };
        var neighborhood = new Neighborhood(new IdSpace(8), self, options);
        neighborhood.SetSuccessors(successors.Select(P));
        var context = new FakeDetectorContext(self);
        var detector = new FailureDetector(context, neighborhood, options);
        var dead = new List<ulong>();
        detector.Dead += dead.Add;
        return (detector, context, neighborhood, dead);
    }

    private static void Pong(FailureDetector detector, FakeDetectorContext context, ulong from)
    {
        var ping = context.Datagrams.Last(d => d.Message is PingRequest && d.To.Port == P(from).Port);
        detector.HandlePong(ping.Sequence, new PingResponse { Sender = P(from), IdBits = 8 });
    }

    /// <summary>One ping round in which <paramref name="answering"/> answer and the rest stay silent.</summary>
    private static void Round(FailureDetector detector, FakeDetectorContext context, params ulong[] answering)
    {
        detector.CountMissedPings();
        detector.PingTargets();
        foreach (var id in answering)
            Pong(detector, context, id);
    }

    [Fact]
    public void Each_round_pings_every_live_successor_at_its_rank_in_the_original_words_and_never_a_dead_candidate()
    {
        var (detector, context, neighborhood, _) = DetectorAt(9, 14, 19);

        detector.PingTargets();
        Assert.Equal([(14UL, 1), (19UL, 2)], context.TakePings());

        neighborhood.DeclareDead([14UL], context.Now);
        detector.PingTargets();
        Assert.Equal([(19UL, 1)], context.TakePings());

        neighborhood.DeclareDead([19UL], context.Now);   // kept as a candidate: asked over TCP by repair, not pinged
        detector.PingTargets();
        Assert.Empty(context.TakePings());
        Assert.Equal(["Ping requests sent to Peers 14 and 19", "Ping request sent to Peer 19"], context.EventTexts);
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
    public void A_pong_clears_its_ping_and_the_missed_count_and_one_from_a_peer_that_is_no_successor_is_ignored()
    {
        var (detector, context, _, _) = DetectorAt(9, 14, 19);
        Round(detector, context, answering: 19);
        Round(detector, context, answering: 19);
        Assert.Equal(1, detector.Target(14)!.MissedPings);

        Pong(detector, context, 14);
        detector.HandlePong(1, new PingResponse { Sender = P(2), IdBits = 8 });

        Assert.Equal((0, (uint?)null), (detector.Target(14)!.MissedPings, detector.Target(14)!.OutstandingPing));
        Assert.Null(detector.Target(2));
        Assert.Equal(3, context.EventTexts.Count(t => t.StartsWith("Ping response received", StringComparison.Ordinal)));
        Assert.DoesNotContain("Ping response received from Peer 2", context.EventTexts);
    }

    [Fact]
    public void Missed_pings_only_make_a_suspect_which_is_dead_once_it_also_fails_to_answer_over_tcp()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        for (var round = 0; round < 5; round++)
            Round(detector, context, answering: 19);   // 14 is silent, but no probe timer fires: only the rounds count

        var ask = Assert.Single(context.Sent);
        Assert.Equal((14UL, Interval), (ask.To.Id, ask.Timeout));
        Assert.IsType<NeighborsRequest>(ask.Request);
        Assert.True(detector.Target(14)!.Confirming);
        Assert.Empty(dead);                             // datagram loss alone kills nobody

        ask.Answer();
        Assert.Empty(dead);
        Assert.Equal(0, detector.Target(14)!.MissedPings);

        for (var round = 0; round < 5 && context.Sent.Count == 1; round++)
            Round(detector, context, answering: 19);
        context.Sent[^1].Fail();
        Assert.Equal([14UL], dead);
    }

    [Fact]
    public void A_suspect_is_probed_every_probe_period_without_a_word_until_it_answers_and_then_the_probes_stop()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        Round(detector, context, answering: 19);
        Round(detector, context, answering: 19);       // 14 missed one: a suspect
        var probe = Assert.Single(context.Timers);
        Assert.Equal(Interval / 4, probe.Due);
        context.Datagrams.Clear();
        var events = context.Events.Count;

        probe.Fire();
        Assert.Equal([(14UL, 1)], context.TakePings());    // only the suspect, at its rank, silently
        Assert.Equal(events, context.Events.Count);

        probe.Fire();                                       // third miss: asked over TCP instead of pinged
        Assert.Empty(context.TakePings());
        Assert.Equal(14UL, Assert.Single(context.Sent).To.Id);
        context.Sent[0].Answer();

        probe.Fire();
        Assert.True(probe.Disposed);
        Assert.Empty(dead);
    }

    [Fact]
    public void A_suspect_that_answers_with_another_ring_secret_is_alive_not_dead()
    {
        var (detector, context, _, dead) = DetectorAt(9, 14, 19);
        for (var round = 0; round < 4; round++)
            Round(detector, context, answering: 19);

        Assert.Single(context.Sent).Fail(new DhtAuthenticationException(P(14).ToEndPoint(), "another secret"));

        Assert.Empty(dead);
        Assert.Equal(0, detector.Target(14)!.MissedPings);
    }

    [Fact]
    public void A_confirmation_that_fails_once_the_suspect_has_left_the_list_or_the_peer_stopped_running_declares_nobody()
    {
        var (detector, context, neighborhood, dead) = DetectorAt(9, 14, 19);
        for (var round = 0; round < 4; round++)
            Round(detector, context);
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
        Round(detector, context);
        Round(detector, context);
        Assert.Equal(1, detector.Target(19)!.MissedPings);

        neighborhood.SetSuccessors([P(14), P(19) with { Port = 9 }, P(2)]);

        Assert.Equal(1, detector.Target(14)!.MissedPings);
        Assert.Equal(0, detector.Target(19)!.MissedPings);   // restarted elsewhere: a new peer as far as probes go
        Assert.Equal([(14UL, 1), (19UL, 2), (2UL, 3)], detector.Targets.Select(t => (t.Contact.Id, t.Rank)));

        neighborhood.DeclareDead([14UL], context.Now);
        Assert.Null(detector.Target(14));
        Assert.Equal([(19UL, 1), (2UL, 2)], detector.Targets.Select(t => (t.Contact.Id, t.Rank)));
    }
}
