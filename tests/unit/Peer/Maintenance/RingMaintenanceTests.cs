using DhtPs.Core.Peer;
using DhtPs.Core.Peer.Maintenance;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer.Maintenance;

/// <summary>
/// Ring maintenance alone, against a fake context, on the SPEC's ring 2, 4, 5, 8, 9, 14, 19 (8-bit ids): joining,
/// admitting, successor changes, departures, declaring the dead, repair and stabilization, each in the original's words.
/// </summary>
public sealed class RingMaintenanceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static (RingMaintenance Maintenance, FakeMaintenanceContext Context, Neighborhood Neighborhood) At(ulong self, ulong[] successors, ulong[]? predecessors = null,
        int successorCount = 2)
    {
        var options = new PeerOptions { Id = self, PingInterval = Interval, MissedPingLimit = 3, SuccessorCount = successorCount };
        var neighborhood = new Neighborhood(new IdSpace(8), self, options);
        neighborhood.SetSuccessors(successors.Select(P));
        if (predecessors is not null)
            neighborhood.SetPredecessors(predecessors.Select(P).ToArray(), T0);
        var context = new FakeMaintenanceContext(self, neighborhood.SuccessorIds);
        return (new RingMaintenance(context, neighborhood, options), context, neighborhood);
    }

    private static ulong[] Ids(IEnumerable<PeerContact> contacts) => contacts.Select(c => c.Id).ToArray();

    [Fact]
    public void An_accepted_joiner_becomes_the_first_successor_the_first_predecessor_is_told_and_the_joiner_gets_its_place()
    {
        var (maintenance, context, neighborhood) = At(14, [19, 2], predecessors: [9, 8]);

        maintenance.AcceptJoin(P(15));

        Assert.Equal([15UL, 19UL], neighborhood.SuccessorIds());
        Assert.Equal(["Peer 15 Join request received", "My new first successor is Peer 15", "My new second successor is Peer 19"], context.EventTexts);
        var change = context.TakeSent();
        Assert.Equal(9UL, change.ToId);
        Assert.Equal([14UL, 15UL, 19UL], Ids(Assert.IsType<SuccessorChange>(change.Request).Successors));
        var toJoiner = context.TakeSent();
        var accepted = Assert.IsType<JoinAccepted>(toJoiner.Request);
        Assert.Equal(15UL, toJoiner.ToId);
        Assert.Equal([19UL, 2UL], Ids(accepted.Successors));
        Assert.Equal([9UL, 8UL], Ids(accepted.Predecessors));
    }

    [Fact]
    public void A_joiner_that_cannot_be_told_it_was_accepted_is_declared_dead_and_the_list_repaired()
    {
        var (maintenance, context, neighborhood) = At(14, [19, 2], predecessors: [9, 8]);
        maintenance.AcceptJoin(P(15));
        context.TakeSent();                       // the successor change to 9

        context.TakeSent().Fail();                // the joiner is gone again

        Assert.Equal([19UL], neighborhood.SuccessorIds());
        Assert.Contains("Peer 15 is no longer alive", context.EventTexts);
        Assert.Equal(19UL, context.TakeSent().ToId);   // repair asks the nearest live successor
    }

    [Fact]
    public void A_successor_change_is_answered_once_the_first_successor_has_given_its_list_which_is_taken_in_the_original_words()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        var replies = new List<Message>();

        maintenance.HandleSuccessorChange(new SuccessorChange { Sender = P(14), IdBits = 8, Successors = [P(14), P(15), P(19)] }, replies.Add);
        Assert.Empty(replies);
        var check = context.TakeSent();
        Assert.Equal(14UL, check.ToId);
        Assert.IsType<NeighborsRequest>(check.Request);
        check.Neighbors(successors: [15, 19], predecessors: [9]);

        Assert.IsType<Acknowledgement>(Assert.Single(replies));
        Assert.Equal([14UL, 15UL], neighborhood.SuccessorIds());
        Assert.Equal(["Successor Change request received", "My new first successor is Peer 14", "My new second successor is Peer 15"], context.EventTexts);
    }

    [Fact]
    public void A_successor_change_the_first_successor_does_not_confirm_changes_nothing()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        var replies = new List<Message>();

        maintenance.HandleSuccessorChange(new SuccessorChange { Sender = P(77), IdBits = 8, Successors = [P(14), P(77)] }, replies.Add);
        context.TakeSent().Fail();

        Assert.IsType<Acknowledgement>(Assert.Single(replies));
        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());
        Assert.Equal(["Successor Change request received"], context.EventTexts);
    }

    [Fact]
    public void A_successor_change_for_an_acceptor_beyond_a_closer_first_successor_is_passed_on_to_it_and_changes_nothing_here()
    {
        var (maintenance, context, neighborhood) = At(9, [12, 14]);   // 12 joined between 9 and the acceptor 14 meanwhile

        maintenance.HandleSuccessorChange(new SuccessorChange { Sender = P(14), IdBits = 8, Successors = [P(14), P(15), P(19)] }, _ => { });

        Assert.Equal([12UL, 14UL], neighborhood.SuccessorIds());
        var passed = context.TakeSent();
        Assert.Equal((12UL, 9UL), (passed.ToId, passed.Request.Sender.Id));
        Assert.Equal([14UL, 15UL, 19UL], Ids(Assert.IsType<SuccessorChange>(passed.Request).Successors));
    }

    [Fact]
    public void A_departing_successor_that_no_longer_answers_as_running_is_replaced_by_its_successors_and_a_notice_from_a_stranger_changes_nothing()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        var replies = new List<Message>();

        maintenance.HandleDepartureNotice(new DepartureNotice { Sender = P(4), IdBits = 8, Successors = [P(5), P(8)] }, replies.Add);
        Assert.Empty(context.Events);
        Assert.Empty(context.Sent);

        maintenance.HandleDepartureNotice(new DepartureNotice { Sender = P(14), IdBits = 8, Successors = [P(19), P(2)] }, replies.Add);
        var check = context.TakeSent();
        Assert.Equal((14UL, 1), (check.ToId, replies.Count));
        check.Fail(); // gone, or departing (a departing peer refuses with NotRunning)
        Assert.Equal([19UL, 2UL], neighborhood.SuccessorIds());
        Assert.Equal(["Peer 14 will depart from the network", "My new first successor is Peer 19", "My new second successor is Peer 2"], context.EventTexts);
        Assert.All(replies, r => Assert.IsType<Acknowledgement>(r));
    }

    [Fact]
    public void A_departure_notice_for_a_successor_that_answers_as_running_is_refuted_and_refused()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        var replies = new List<Message>();

        maintenance.HandleDepartureNotice(new DepartureNotice { Sender = P(14), IdBits = 8, Successors = [P(77)] }, replies.Add);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);

        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());
        Assert.Equal(ErrorCode.Invalid, Assert.IsType<ErrorResponse>(Assert.Single(replies)).Code);
        Assert.Equal([$"Ignored a departure notice for Peer 14: it answers at {P(14).EndPoint} and is not leaving"], context.EventTexts);
    }

    [Fact]
    public void A_departure_stops_the_pings_and_tells_every_predecessor_the_successors_once()
    {
        var (maintenance, context, _) = At(14, [19, 2], predecessors: [9, 8]);

        Assert.True(maintenance.Depart().IsCompletedSuccessfully);
        Assert.True(maintenance.Depart().IsCompletedSuccessfully);   // departing already: nothing more is said

        Assert.Equal((PeerStatus.Departing, true), (context.Status, context.PingingStopped));
        Assert.Equal([9UL, 8UL], context.Notices.Select(n => n.To.Id));
        Assert.All(context.Notices, n => Assert.Equal([19UL, 2UL], Ids(Assert.IsType<DepartureNotice>(n.Request).Successors)));
    }

    [Fact]
    public async Task A_newcomer_joins_through_a_known_peer_learns_its_place_and_then_routes_the_joins_it_deferred()
    {
        var (maintenance, context, neighborhood) = At(15, []);
        var joined = new TaskCompletionSource<DhtPeer>();
        PeerContact? acceptor = null;
        maintenance.Joined += a => acceptor = a;

        maintenance.BeginJoin(new PeerLocator(2, P(2).ToEndPoint()), TimeSpan.FromSeconds(5), joined);
        Assert.Equal(PeerStatus.Joining, context.Status);
        var ask = context.TakeSent();
        Assert.Equal((2UL, 15UL), (ask.ToId, Assert.IsType<JoinRequest>(ask.Request).Joiner.Id));
        var other = new JoinRequest { Sender = P(3), IdBits = 8, Joiner = P(3) };
        Assert.IsType<Acknowledgement>(maintenance.HandleJoinRequest(other));
        Assert.Empty(context.RoutedJoins);                                  // deferred until this peer knows its place
        ask.Acknowledge();

        maintenance.HandleJoinAccepted(new JoinAccepted { Sender = P(14), IdBits = 8, Successors = [P(19), P(2)], Predecessors = [P(9)] });

        Assert.Equal(PeerStatus.Running, context.Status);
        Assert.Equal([19UL, 2UL], (await joined.Task).Successors);
        Assert.Equal([14UL, 9UL], Ids(neighborhood.Predecessors));
        Assert.Equal(14UL, acceptor!.Id);
        Assert.Equal(["Join request has been accepted", "My first successor is Peer 19", "My second successor is Peer 2"], context.EventTexts);
        Assert.Equal([other], context.RoutedJoins);
        Assert.True(Assert.Single(context.Timers).Disposed);
    }

    [Fact]
    public async Task A_join_without_an_answer_fails_at_its_deadline_and_a_late_acceptance_is_refused()
    {
        var (maintenance, context, _) = At(15, []);
        var joined = new TaskCompletionSource<DhtPeer>();
        maintenance.BeginJoin(new PeerLocator(2, P(2).ToEndPoint()), TimeSpan.FromSeconds(5), joined);

        context.Timers[0].Fire();

        var failure = await Assert.ThrowsAsync<JoinException>(() => joined.Task);
        Assert.Equal(JoinFailure.TimedOut, failure.Failure);
        Assert.Equal(PeerStatus.Running, context.Status);
        Assert.StartsWith("Join request failed: Peer 15 got no answer to its join request", Assert.Single(context.EventTexts));
        var late = maintenance.HandleJoinAccepted(new JoinAccepted { Sender = P(14), IdBits = 8, Successors = [P(19)], Predecessors = [] });
        Assert.Equal(ErrorCode.NotJoining, Assert.IsType<ErrorResponse>(late).Code);
    }

    [Fact]
    public void A_dead_successor_is_said_to_be_gone_and_the_nearest_live_one_gives_the_list_back()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);

        maintenance.DeclareDead([14UL]);
        var ask = context.TakeSent();
        Assert.Equal(19UL, ask.ToId);
        ask.Neighbors(successors: [2, 4], predecessors: [9]);

        Assert.Equal([19UL, 2UL], neighborhood.SuccessorIds());
        Assert.Equal(["Peer 14 is no longer alive", "My new first successor is Peer 19", "My new second successor is Peer 2"], context.EventTexts);
    }

    [Fact]
    public void With_both_successors_dead_the_peer_walks_back_along_predecessors_to_the_first_live_peer_after_the_gap()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19], predecessors: [8, 5]);

        maintenance.DeclareDead([14UL, 19UL]);
        context.TakeSent().Fail();                                  // the dead candidates are asked once more
        context.TakeSent().Fail();
        context.TakeSent().Neighbors(successors: [9, 14], predecessors: [5]);   // 8
        context.TakeSent().Neighbors(successors: [8, 9], predecessors: [4]);    // 5
        context.TakeSent().Neighbors(successors: [5, 8], predecessors: [2]);    // 4
        var two = context.TakeSent();
        Assert.Equal(2UL, two.ToId);
        two.Neighbors(successors: [4, 5], predecessors: [19]);                 // 19 is dead: 2 is right after the gap

        Assert.Equal([2UL, 4UL], neighborhood.SuccessorIds());
        Assert.Empty(context.Sent);
        Assert.Equal(["Peer 14 is no longer alive", "Peer 19 is no longer alive", "My new first successor is Peer 2", "My new second successor is Peer 4"],
            context.EventTexts);
    }

    [Fact]
    public void With_both_successors_dead_the_walk_back_starts_at_the_nearest_finger_that_answers()
    {
        // Ring 2, 4, 5, 8, 9, 14, 19, 30. Walking round from 9's predecessors would cross the whole ring, and stop early at
        // any peer that has not learned its predecessor yet (mixed-interval chaos seeds 10, 70, 91, 92 split that way).
        var (maintenance, context, neighborhood) = At(9, [14, 19], predecessors: [8, 5]);
        context.Fingers.AddRange([P(14), P(19), P(30), P(2), P(2)]);

        maintenance.DeclareDead([14UL, 19UL]);
        context.TakeSentTo(14).Fail();                                              // the dead candidates are asked once more
        context.TakeSentTo(19).Fail();
        context.TakeSentTo(30).Neighbors(successors: [2, 4], predecessors: [19]);  // the nearest finger not held dead; 19 is dead: 30 is right after the gap

        Assert.Equal([30UL, 2UL], neighborhood.SuccessorIds());
        Assert.Empty(context.Sent);
        Assert.Equal(["Peer 14 is no longer alive", "Peer 19 is no longer alive", "My new first successor is Peer 30", "My new second successor is Peer 2"],
            context.EventTexts);
    }

    [Fact]
    public void A_walk_from_a_finger_whose_predecessor_is_silent_adopts_nothing_and_goes_round_from_the_predecessors()
    {
        // 9 cut off together with 30: 30 answers, the peer before it (25) does not. That is no gap, or a partition would
        // close a ring of its own (chaos seed 122); 9's own predecessor decides, and silent too, nothing is adopted.
        var (maintenance, context, neighborhood) = At(9, [14, 19], predecessors: [8, 5]);
        context.Fingers.AddRange([P(30), P(2)]);

        maintenance.DeclareDead([14UL, 19UL]);
        context.TakeSentTo(14).Fail();
        context.TakeSentTo(19).Fail();
        context.TakeSentTo(30).Neighbors(successors: [2, 4], predecessors: [25]);
        context.TakeSentTo(25).Fail();
        context.TakeSentTo(8).Fail();                                             // the walk round from 9's own predecessor

        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());                 // still the candidates, asked again next round
        Assert.DoesNotContain(context.Events, e => e.Kind == DhtEventKind.SuccessorChanged);
    }

    [Fact]
    public void When_no_finger_answers_either_the_walk_goes_round_from_the_predecessors()
    {
        var (maintenance, context, _) = At(9, [14, 19], predecessors: [8, 5]);
        context.Fingers.AddRange([P(14), P(30), P(2)]);

        maintenance.DeclareDead([14UL, 19UL]);
        context.TakeSentTo(14).Fail();
        context.TakeSentTo(19).Fail();
        context.TakeSentTo(30).Fail();                             // the fingers, nearest first, 14 left out as a candidate
        context.TakeSentTo(2).Fail();

        context.TakeSentTo(8);                                     // the first predecessor: the walk round the ring
    }

    [Fact]
    public void Stabilization_applies_a_change_only_once_two_rounds_in_a_row_propose_it()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 2]);   // 19 missed: a lost message left the list wrong

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        Assert.Equal([14UL, 2UL], neighborhood.SuccessorIds());

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());
        Assert.Equal(["My new second successor is Peer 19"], context.EventTexts);
    }

    [Fact]
    public void Stabilization_adopts_a_closer_successor_only_once_it_answers_itself()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [12]);
        var closer = context.TakeSent();
        Assert.Equal(12UL, closer.ToId);
        closer.Fail();                                               // 14 names a predecessor that is not there
        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [12]);
        context.TakeSent().Neighbors(successors: [14, 19], predecessors: [9]);

        Assert.Equal([12UL, 14UL], neighborhood.SuccessorIds());
        Assert.Equal(["My new first successor is Peer 12", "My new second successor is Peer 14"], context.EventTexts);
    }

    [Fact]
    public void A_repair_left_pending_is_tried_again_at_the_next_round_without_a_confirmation_under_way()
    {
        var (maintenance, context, _) = At(9, [14, 19]);
        maintenance.DeclareDead([14UL]);
        context.TakeSent().Fail();                                   // 19 did not answer the repair: pending

        maintenance.OnPingRound(confirmationsUnderWay: 1);            // a confirmation's verdict will repair anyway
        var stabilizing = context.TakeSent();                        // only stabilization asked
        Assert.Empty(context.Sent);
        stabilizing.Fail();

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        Assert.Equal(19UL, Assert.Single(context.Sent).ToId);       // the repair; stabilization waits for it
        context.TakeSent().Neighbors(successors: [2, 4], predecessors: [9]);
        Assert.Contains("My new second successor is Peer 2", context.EventTexts);
    }

    [Fact]
    public void A_peer_held_dead_at_an_incarnation_is_not_taken_back_from_a_slow_neighbours_list_however_long_it_offers_it()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        neighborhood.HeardIncarnation(19, 5);
        maintenance.DeclareDead([19UL]);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);    // 14 pings at 30 s: it still lists 19
        Assert.Equal([14UL, 2UL], neighborhood.SuccessorIds());
        context.Events.Clear();

        for (var round = 0; round < 6; round++)
        {
            context.Now += Interval * 10;                                         // a minute: the old memory was 4 s
            maintenance.OnPingRound(confirmationsUnderWay: 0);
            context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
            var itself = context.TakeSent();                                      // 19 is asked itself: it might be alive
            Assert.Equal(19UL, itself.ToId);
            itself.Fail();                                                        // dead: it cannot answer
        }
        Assert.Equal([14UL, 2UL], neighborhood.SuccessorIds());
        Assert.Empty(context.EventTexts);

        neighborhood.HeardIncarnation(19, 6);                                     // restarted: offered at a higher incarnation
        for (var round = 0; round < 2; round++)
        {
            maintenance.OnPingRound(confirmationsUnderWay: 0);
            context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        }
        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());
        Assert.Equal(["My new second successor is Peer 19"], context.EventTexts);
    }

    [Fact]
    public void A_peer_held_dead_that_answers_itself_is_taken_back_a_death_declared_across_a_partition_ends_there()
    {
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        neighborhood.HeardIncarnation(19, 5);
        maintenance.DeclareDead([19UL]);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        context.Events.Clear();

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        context.TakeSent().Neighbors(successors: [2, 4], predecessors: [14]);   // 19 answers for itself: alive, never dead
        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);

        Assert.Equal([14UL, 19UL], neighborhood.SuccessorIds());
        Assert.Equal(["My new second successor is Peer 19"], context.EventTexts);
        Assert.Empty(context.Sent);
    }
    [Fact]
    public void A_peer_held_dead_stays_out_of_a_list_offered_by_a_closer_peer_back_without_a_join_and_is_asked_itself()
    {
        // Chaos seeds 11 and 98 at 64 peers (3 copies): a peer restarted from its command line offered its init successors,
        // one of them dead for 8 s, and the peer before it took that one back with the restarted peer.
        var (maintenance, context, neighborhood) = At(9, [14, 19, 2], successorCount: 3);
        neighborhood.HeardIncarnation(19, 5);
        maintenance.DeclareDead([19UL]);
        context.TakeSent().Neighbors(successors: [19, 2, 4], predecessors: [9]);
        Assert.Equal([14UL, 2UL, 4UL], neighborhood.SuccessorIds());
        context.Now += Interval * 10;                                            // past the memory of recent deaths
        context.Events.Clear();

        maintenance.OnPingRound(confirmationsUnderWay: 0);
        context.TakeSent().Neighbors(successors: [19, 2, 4], predecessors: [12]); // 14 names 12 before it
        var closer = context.TakeSent();
        Assert.Equal(12UL, closer.ToId);
        closer.Neighbors(successors: [14, 19, 2], predecessors: [9]);           // its init successors, 19 among them

        Assert.Equal([12UL, 14UL, 2UL], neighborhood.SuccessorIds());
        var itself = context.TakeSent();                                         // 19 is asked itself: it might be alive
        Assert.Equal(19UL, itself.ToId);
        itself.Fail();
        Assert.DoesNotContain(context.EventTexts, text => text.Contains("Peer 19"));
    }

    [Fact]
    public void A_peer_held_dead_stays_out_of_the_successors_a_departure_notice_offers_and_is_asked_itself()
    {
        // Chaos seed 182 at 64 peers (3 copies): a departing successor's notice listed a peer this one had declared dead
        // 1.6 s before, and it was taken back with the notice.
        var (maintenance, context, neighborhood) = At(9, [14, 19]);
        neighborhood.HeardIncarnation(19, 5);
        maintenance.DeclareDead([19UL]);
        context.TakeSent().Neighbors(successors: [19, 2], predecessors: [9]);
        Assert.Equal([14UL, 2UL], neighborhood.SuccessorIds());
        context.Events.Clear();

        maintenance.HandleDepartureNotice(new DepartureNotice { Sender = P(14), IdBits = 8, Successors = [P(19), P(2)] }, _ => { });
        context.TakeSent().Fail();                                               // 14 is departing: it no longer answers as running

        Assert.Equal([2UL], neighborhood.SuccessorIds());
        var itself = context.TakeSent();
        Assert.Equal(19UL, itself.ToId);
        itself.Fail();
        Assert.Equal(["Peer 14 will depart from the network", "My new first successor is Peer 2"], context.EventTexts);
    }
}
