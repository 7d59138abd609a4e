using DhtPs.Core.Peer;
using DhtPs.Core.Peer.Routing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using static DhtPs.Tests.Unit.Peer.Routing.FakeRouterContext;

namespace DhtPs.Tests.Unit.Peer.Routing;

/// <summary>
/// The router alone, against a fake context, on the SPEC's ring 2, 4, 5, 8, 9, 14, 19 (8-bit ids): where each kind of
/// request goes next, what each forwarding peer says, how answers, failures and deadlines settle what was started here.
/// </summary>
public sealed class RouterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static (Router Router, FakeRouterContext Context) RouterAt(ulong self, ulong[] successors, ulong? predecessor = null,
        RoutingMode routing = RoutingMode.Fingers, double pingIntervalSeconds = 30)
    {
        var context = new FakeRouterContext(self)
        {
            RoutingSuccessors = successors.Select(P).ToArray(),
            FirstPredecessor = predecessor is { } id ? P(id) : null,
        };
        var options = new PeerOptions { Id = self, Routing = routing, RequestTimeout = Timeout, PingInterval = TimeSpan.FromSeconds(pingIntervalSeconds) };
        return (new Router(context, options, incarnation: 1), context);
    }

    private static StoreRequest Store(string name, PeerContact origin, PeerContact sender, int hops = 0, bool toOwner = false) => new()
    {
        Sender = sender, IdBits = 8, RequestId = "r-1", Name = name, Key = FileKey.Of(name, new IdSpace(8)), Origin = origin, Hops = hops, ToOwner = toOwner,
    };

    private static FetchRequest Fetch(string name, PeerContact origin, PeerContact sender, int hops = 0) => new()
    {
        Sender = sender, IdBits = 8, RequestId = "r-2", Name = name, Key = FileKey.Of(name, new IdSpace(8)), Origin = origin, Hops = hops,
    };

    /// <summary>Drives one round of finger upkeep whose lookup <paramref name="owner"/> answers: the finger is learned as in a running peer.</summary>
    private static void LearnFinger(Router router, FakeRouterContext context, ulong owner)
    {
        router.RefreshFingers(context.RoutingSuccessors);
        var lookup = context.TakeSent();
        var request = Assert.IsType<LookupRequest>(lookup.Request);
        lookup.Acknowledge();
        router.HandleAnswer(new RouteAnswer { Sender = P(owner), IdBits = 8, RequestId = request.RequestId, Outcome = RouteOutcome.Owner, Hops = 2 });
    }

    [Fact]
    public void Under_successor_routing_a_store_walks_to_the_first_successor_in_the_original_words()
    {
        var (router, context) = RouterAt(8, [9, 14], predecessor: 5, RoutingMode.Successor);

        router.Route(Store("2067", origin: P(8), sender: P(8)));

        var sent = context.TakeSent();
        Assert.Equal(9UL, sent.To.Id);
        var forwarded = Assert.IsType<StoreRequest>(sent.Request);
        Assert.Equal((1, false, 8UL), (forwarded.Hops, forwarded.ToOwner, forwarded.Sender.Id));
        Assert.Equal(["Store 2067 request forwarded to my successor"], context.EventTexts);
    }

    [Fact]
    public void The_first_successor_that_owns_the_key_gets_the_request_as_its_owner()
    {
        var (router, context) = RouterAt(14, [19, 2], predecessor: 9, RoutingMode.Successor);

        router.Route(Store("2067", origin: P(8), sender: P(9), hops: 2));

        var forwarded = Assert.IsType<StoreRequest>(context.TakeSent().Request);
        Assert.True(forwarded.ToOwner);
        Assert.Equal(3, forwarded.Hops);
    }

    [Fact]
    public void With_fingers_a_store_goes_to_the_closest_preceding_finger_and_the_event_names_it()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        LearnFinger(router, context, owner: 8);   // finger 2, start 6
        LearnFinger(router, context, owner: 14);  // finger 3, start 10
        Assert.Equal([4UL, 4UL, 8UL, 14UL], router.Fingers.Take(4).Select(f => f!.Id));
        context.Events.Clear();

        router.Route(Store("2067", origin: P(2), sender: P(2)));

        var sent = context.TakeSent();
        Assert.Equal(14UL, sent.To.Id);
        Assert.False(((StoreRequest)sent.Request).ToOwner);
        Assert.Equal(["Store 2067 request forwarded to Peer 14"], context.EventTexts);
    }

    [Fact]
    public void A_file_request_names_its_next_hop_when_that_is_not_the_first_successor()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);

        router.Route(Fetch("4103", origin: P(2), sender: P(2)));      // key 7: the closest known before it is 5
        router.Route(Fetch("4103", origin: P(9), sender: P(19), hops: 1));

        Assert.Equal([5UL, 5UL], context.Sent.Select(s => s.To.Id));
        Assert.Equal([
            "File request for 4103 has been sent to Peer 5",
            "Request for File 4103 has been received, but the file is not stored here; forwarded to Peer 5",
        ], context.EventTexts);
    }

    [Fact]
    public void A_hop_that_does_not_take_the_request_is_dropped_from_the_fingers_and_the_next_candidate_is_tried()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        LearnFinger(router, context, owner: 8);
        LearnFinger(router, context, owner: 14);
        context.Events.Clear();

        router.Route(Store("2067", origin: P(2), sender: P(2)));
        context.TakeSent().Fail();

        Assert.DoesNotContain(router.Fingers, f => f?.Id == 14);
        Assert.Equal(8UL, context.TakeSent().To.Id);
        Assert.Equal(["Store 2067 request forwarded to Peer 14", "Store 2067 request forwarded to Peer 8"], context.EventTexts);
    }

    [Fact]
    public void A_hop_that_does_not_take_the_request_is_named_to_the_next_candidate_as_one_to_avoid()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        LearnFinger(router, context, owner: 8);
        LearnFinger(router, context, owner: 14);

        router.Route(Store("2067", origin: P(2), sender: P(2)));
        Assert.Null(((StoreRequest)context.TakeSent().Request).Avoid);
        context.Sent.Clear();
        router.Route(Store("2067", origin: P(2), sender: P(2)));
        context.TakeSent().Fail();

        var next = context.TakeSent();
        Assert.Equal(8UL, next.To.Id);
        Assert.Equal([14UL], ((StoreRequest)next.Request).Avoid);
    }

    [Fact]
    public void A_request_that_avoids_a_peer_tries_it_only_after_every_other_candidate()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        LearnFinger(router, context, owner: 8);
        LearnFinger(router, context, owner: 14);

        router.Route(Store("2067", origin: P(19), sender: P(19), hops: 1) with { Avoid = [14] });
        var hops = new List<ulong>();
        while (context.Sent is [.., { Request: StoreRequest }])
        {
            var sent = context.TakeSent();
            hops.Add(sent.To.Id);
            sent.Fail();
        }

        Assert.Equal([8UL, 5UL, 4UL, 14UL], hops);
        Assert.IsType<RouteAnswer>(Assert.Single(context.Sent).Request);   // the origin hears it is unroutable
    }

    [Fact]
    public void A_closer_predecessor_an_earlier_hop_could_not_reach_is_not_asked_and_the_request_is_served_here()
    {
        var (router, context) = RouterAt(14, [2], predecessor: 9);

        router.Route(Store("2057", origin: P(2), sender: P(2), hops: 1, toOwner: true) with { Avoid = [9] });   // key 9

        Assert.Empty(context.Sent);
        Assert.Equal(9UL, context.FileArrivals.Single().Key);
    }

    [Fact]
    public void A_forward_with_a_candidate_behind_it_waits_the_forwards_round_trip_timeout_and_the_last_candidate_the_request_timeout()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);   // no fingers yet: 5, then 4, lie before the key

        router.Route(Store("2067", origin: P(2), sender: P(2)));
        var first = context.TakeSent();
        Assert.Equal(TimeSpan.FromSeconds(1), first.Timeout);   // RFC 6298's first guess, before any acknowledgement
        context.Clock.Advance(first.Timeout);
        first.Fail("did not answer within 1 s");
        var last = context.TakeSent();
        Assert.Equal(Timeout, last.Timeout);   // nothing behind it: the whole request timeout

        router.Route(Store("2067", origin: P(2), sender: P(2)));
        var again = context.TakeSent();
        Assert.Equal(TimeSpan.FromSeconds(2), again.Timeout);   // backed off by the timeout
        for (var i = 0; i < 8; i++)
        {
            router.Route(Store("2067", origin: P(2), sender: P(2)));
            context.Clock.Advance(TimeSpan.FromMilliseconds(10));
            context.TakeSent().Acknowledge();
        }
        router.Route(Store("2067", origin: P(2), sender: P(2)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), context.TakeSent().Timeout);   // 10 ms round trips: the floor

        var (alone, single) = RouterAt(8, [9], predecessor: 5, RoutingMode.Successor);
        alone.Route(Store("2067", origin: P(8), sender: P(8)));
        Assert.Equal(Timeout, single.TakeSent().Timeout);
    }

    [Fact]
    public void A_join_waits_the_request_timeout_at_every_hop_so_that_it_reaches_one_place_only()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        LearnFinger(router, context, owner: 8);
        LearnFinger(router, context, owner: 14);

        router.RouteJoin(new JoinRequest { Sender = P(15), IdBits = 8, Joiner = P(15) });

        Assert.Equal(Timeout, context.TakeSent().Timeout);
    }

    [Fact]
    public void When_no_candidate_takes_a_request_its_origin_is_told_it_is_unroutable()
    {
        var (router, context) = RouterAt(8, [9], predecessor: 5, RoutingMode.Successor);
        RouteAnswer? answer = null;
        var request = Store("2067", origin: P(8), sender: P(8)) with { RequestId = router.NewRequestId() };

        router.Start(request, Timeout, a => answer = a);
        context.TakeSent().Fail("refused");

        Assert.Equal(RouteOutcome.Unroutable, answer?.Outcome);
        Assert.Equal("Peer 8 could not pass the request on to Peer 9: refused", answer?.Reason);
        Assert.Equal(0, router.Pending);
        Assert.True(context.Timers.Single().Disposed);
    }

    [Fact]
    public void A_request_started_here_ends_unanswered_at_its_deadline_and_a_late_answer_settles_nothing()
    {
        var (router, context) = RouterAt(8, [9, 14], predecessor: 5);
        var answers = new List<RouteAnswer?>();
        var request = Store("2067", origin: P(8), sender: P(8)) with { RequestId = router.NewRequestId() };

        router.Start(request, Timeout, answers.Add);
        context.TakeSent().Acknowledge();
        Assert.Equal(Timeout, context.Timers.Single().Due);
        context.Timers.Single().Fire();
        router.HandleAnswer(new RouteAnswer { Sender = P(19), IdBits = 8, RequestId = request.RequestId, Outcome = RouteOutcome.StoreAccepted });

        Assert.Equal([null], answers);
    }

    [Fact]
    public void The_owners_answer_settles_the_request_once()
    {
        var (router, context) = RouterAt(8, [9, 14], predecessor: 5);
        var answers = new List<RouteAnswer?>();
        var request = Store("2067", origin: P(8), sender: P(8)) with { RequestId = router.NewRequestId() };
        router.Start(request, Timeout, answers.Add);
        var accepted = new RouteAnswer { Sender = P(19), IdBits = 8, RequestId = request.RequestId, Outcome = RouteOutcome.StoreAccepted, Hops = 2 };

        router.HandleAnswer(accepted);
        router.HandleAnswer(accepted);

        Assert.Equal([accepted], answers);
        Assert.True(context.Timers.Single().Disposed);
    }

    /// <summary>Starts <paramref name="request"/> here and has <paramref name="owner"/> answer it, naming its range (from, owner].</summary>
    private static void AnsweredBy(Router router, FakeRouterContext context, RoutedRequest request, ulong owner, ulong? ownedFrom, RouteOutcome outcome)
    {
        router.Start(request, Timeout, _ => { });
        context.TakeSent().Acknowledge();
        router.HandleAnswer(new RouteAnswer { Sender = P(owner), IdBits = 8, RequestId = request.RequestId, Outcome = outcome, Hops = 2, OwnedFrom = ownedFrom });
    }

    [Fact]
    public void The_owner_that_accepted_a_store_gets_the_next_file_request_for_its_range_first_and_only_for_its_range()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        AnsweredBy(router, context, Store("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 9, ownedFrom: 8, RouteOutcome.StoreAccepted);

        router.Start(Fetch("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });
        var direct = context.TakeSent();
        router.Start(Fetch("2056", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });
        var routed = context.TakeSent();

        Assert.Equal(9UL, direct.To.Id);
        Assert.False(((FetchRequest)direct.Request).ToOwner); // the owner checks the key against its own predecessor
        Assert.NotEqual(9UL, routed.To.Id);                   // key 8 is not in (8, 9]
    }

    [Fact]
    public void A_cached_owner_that_does_not_take_the_request_is_forgotten_and_the_route_takes_over()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        AnsweredBy(router, context, Store("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 9, ownedFrom: 8, RouteOutcome.StoreAccepted);

        router.Start(Fetch("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });
        context.TakeSent().Fail();
        var fallback = context.TakeSent();
        fallback.Acknowledge();
        router.Start(Fetch("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });

        Assert.Equal(5UL, fallback.To.Id);
        Assert.Equal(5UL, context.TakeSent().To.Id);
    }

    [Fact]
    public void An_answer_from_a_newer_owner_of_the_stretch_replaces_the_cached_one()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        AnsweredBy(router, context, Store("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 9, ownedFrom: 5, RouteOutcome.StoreAccepted);
        // A peer joined at 8; the request went to 9 first, which routed it on, and 8 answered.
        AnsweredBy(router, context, Fetch("2056", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 8, ownedFrom: 5, RouteOutcome.NotStored);

        router.Start(Fetch("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });
        router.Start(Fetch("2054", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });

        Assert.Equal(8UL, context.TakeSent().To.Id);    // key 6 in (5, 8]
        Assert.NotEqual(9UL, context.TakeSent().To.Id); // key 9: 9's old range is gone with 8's news
    }

    [Fact]
    public void A_lookup_is_never_sent_to_a_cached_owner_and_an_unroutable_answer_teaches_nothing()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        AnsweredBy(router, context, Store("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 9, ownedFrom: 8, RouteOutcome.StoreAccepted);
        AnsweredBy(router, context, Store("2065", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 14, ownedFrom: 9, RouteOutcome.Unroutable);

        router.StartLookup(9, Timeout, _ => { });
        var lookup = context.TakeSent();
        router.Start(Fetch("2065", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });

        Assert.NotEqual(9UL, lookup.To.Id);
        Assert.NotEqual(14UL, context.TakeSent().To.Id);
    }

    [Fact]
    public void The_original_successor_route_keeps_its_hops_whatever_owners_answered()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19, RoutingMode.Successor);
        AnsweredBy(router, context, Store("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, owner: 9, ownedFrom: 8, RouteOutcome.StoreAccepted);

        router.Start(Fetch("2057", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });

        Assert.Equal(4UL, context.TakeSent().To.Id);
    }

    [Fact]
    public void A_finger_lookups_answer_teaches_the_owner_cache_nothing()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        router.RefreshFingers(context.RoutingSuccessors);
        var lookup = context.TakeSent();
        lookup.Acknowledge();
        router.HandleAnswer(new RouteAnswer
        {
            Sender = P(8), IdBits = 8, RequestId = ((LookupRequest)lookup.Request).RequestId, Outcome = RouteOutcome.Owner, Hops = 1, OwnedFrom = 5,
        });

        router.Start(Fetch("2055", origin: P(2), sender: P(2)) with { RequestId = router.NewRequestId() }, Timeout, _ => { });

        Assert.Contains(router.Fingers, f => f?.Id == 8);
        Assert.Equal(5UL, context.TakeSent().To.Id); // key 7: the closest preceding peer, not the cached-looking 8
    }

    [Fact]
    public void An_owner_names_its_range_in_its_answer_and_a_stuck_hop_names_none()
    {
        var (router, context) = RouterAt(9, [14, 19], predecessor: 8);

        router.Answer(Store("2057", origin: P(2), sender: P(8)), RouteOutcome.StoreAccepted, reason: null);
        router.Answer(Store("2057", origin: P(2), sender: P(8)), RouteOutcome.Unroutable, reason: "no hop");

        Assert.Equal([8UL, null], context.Sent.Select(s => ((RouteAnswer)s.Request).OwnedFrom));
    }

    [Fact]
    public void A_request_sent_to_it_as_owner_is_passed_back_to_a_closer_live_predecessor()
    {
        // Seed 58 at 64 peers: peer 218, cut off, still listed 225 as the successor after it; 225 hears 224 ping it.
        var (router, context) = RouterAt(225, [228, 230], predecessor: 224);
        var request = new LookupRequest { Sender = P(218), IdBits = 8, RequestId = "x-1", Key = 223, Origin = P(198), Hops = 2, ToOwner = true };

        router.Route(request);

        var sent = context.TakeSent();
        Assert.Equal(224UL, sent.To.Id);
        Assert.True(((LookupRequest)sent.Request).ToOwner);
    }

    [Fact]
    public void A_request_the_closer_predecessor_does_not_take_is_served_here_where_its_sender_sent_it()
    {
        // Peer 9 departed gracefully: 2 already lists 14 as its successor, but 14 still holds 9's ping slot.
        var (router, context) = RouterAt(14, [2], predecessor: 9);

        router.Route(Store("2057", origin: P(2), sender: P(2), hops: 1, toOwner: true));   // key 9
        var passedBack = context.TakeSent();
        Assert.Equal(9UL, passedBack.To.Id);
        passedBack.Fail();

        Assert.Equal(9UL, context.FileArrivals.Single().Key);
        Assert.Empty(context.Sent);
    }

    [Fact]
    public void A_request_to_the_owner_from_its_true_predecessor_is_taken_here()
    {
        var (router, context) = RouterAt(19, [2, 4], predecessor: 14);

        router.Route(Store("2067", origin: P(8), sender: P(14), hops: 3, toOwner: true));

        Assert.Empty(context.Sent);
        Assert.Equal(19UL, context.FileArrivals.Single().Key);
    }

    [Fact]
    public void A_file_request_at_its_origin_trusts_the_origins_own_range_but_a_lookup_goes_round_to_be_confirmed()
    {
        var (router, context) = RouterAt(19, [2, 4], predecessor: 14);

        router.Route(Store("2064", origin: P(19), sender: P(19)));   // key 16, in (14, 19]
        router.Route(new LookupRequest { Sender = P(19), IdBits = 8, RequestId = "x-2", Key = 16, Origin = P(19) });

        Assert.Equal(16UL, context.FileArrivals.Single().Key);
        Assert.IsType<LookupRequest>(context.TakeSent().Request);
    }

    [Fact]
    public void A_lookup_that_reaches_its_owner_is_answered_straight_to_its_origin()
    {
        var (router, context) = RouterAt(19, [2, 4], predecessor: 14);

        router.Route(new LookupRequest { Sender = P(14), IdBits = 8, RequestId = "x-3", Key = 16, Origin = P(5), Hops = 2, ToOwner = true });

        var sent = context.TakeSent();
        Assert.Equal(5UL, sent.To.Id);
        Assert.Equal((RouteOutcome.Owner, 2, "x-3"), (((RouteAnswer)sent.Request).Outcome, ((RouteAnswer)sent.Request).Hops, ((RouteAnswer)sent.Request).RequestId));
    }

    [Fact]
    public void A_join_goes_to_the_peer_before_the_joiner_and_is_accepted_there()
    {
        var (router, context) = RouterAt(4, [5, 8], predecessor: 2, RoutingMode.Successor);
        var join = new JoinRequest { Sender = P(15), IdBits = 8, Joiner = P(15) };

        router.RouteJoin(join);
        var forwarded = Assert.IsType<JoinRequest>(context.TakeSent().Request);
        Assert.Equal(1, forwarded.Hops);
        Assert.Equal(["Peer 15 Join request forwarded to my successor"], context.EventTexts);

        var (acceptor, atAcceptor) = RouterAt(14, [19, 2], predecessor: 9, RoutingMode.Successor);
        acceptor.RouteJoin(forwarded with { Hops = 4 });
        Assert.Equal(JoinVerdict.Accept, atAcceptor.JoinArrivals.Single().Verdict);
    }

    [Fact]
    public void A_join_with_fingers_jumps_to_the_closest_peer_before_the_joiner_and_a_join_nobody_takes_is_refused()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19);
        LearnFinger(router, context, owner: 8);
        LearnFinger(router, context, owner: 14);
        context.Events.Clear();

        router.RouteJoin(new JoinRequest { Sender = P(15), IdBits = 8, Joiner = P(15) });
        var hops = new List<ulong>();
        while (context.Sent.Count > 0)
        {
            var sent = context.TakeSent();
            hops.Add(sent.To.Id);
            sent.Fail();
        }

        Assert.Equal([14UL, 8UL, 5UL, 4UL], hops);
        Assert.Equal("Peer 15 Join request forwarded to Peer 14", context.EventTexts.First());
        Assert.StartsWith("Peer 2 could pass the request on to none of the 4 peer(s)", context.UnroutableJoins.Single().Reason);
    }

    [Fact]
    public void Request_ids_are_unique_within_an_incarnation_and_across_incarnations()
    {
        var context = new FakeRouterContext(8);
        var first = new Router(context, new PeerOptions { Id = 8 }, incarnation: 10);
        var second = new Router(context, new PeerOptions { Id = 8 }, incarnation: 11);

        string[] ids = [first.NewRequestId(), first.NewRequestId(), second.NewRequestId()];

        Assert.Equal(3, ids.Distinct().Count());
    }

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds of finger upkeep on the SPEC ring, each request answered as that ring
    /// would: lookups by the true owner, checks by the finger naming its true predecessor. Returns the requests sent.
    /// </summary>
    private static int UpkeepRequests(Router router, FakeRouterContext context, int rounds)
    {
        ulong[] ring = [2, 4, 5, 8, 9, 14, 19];
        var space = new IdSpace(8);
        var sent = 0;
        for (var round = 0; round < rounds; round++)
        {
            router.RefreshFingers(context.RoutingSuccessors);
            if (context.Sent.Count == 0)
                continue;
            sent++;
            var request = context.TakeSent();
            if (request.Request is LookupRequest lookup)
            {
                request.Acknowledge();
                router.HandleAnswer(new RouteAnswer { Sender = P(space.SuccessorOf(lookup.Key, ring)), IdBits = 8, RequestId = lookup.RequestId, Outcome = RouteOutcome.Owner });
            }
            else
            {
                var finger = request.To.Id;
                var before = ring[(Array.IndexOf(ring, finger) + ring.Length - 1) % ring.Length];
                request.OnReply(new Reply(new NeighborsResponse { Sender = P(finger), IdBits = 8, Successors = [], Predecessors = [P(before)] }, null));
            }
        }
        return sent;
    }

    [Fact]
    public void A_settled_table_pauses_its_upkeep_and_a_new_successor_list_resumes_it_at_once()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19, pingIntervalSeconds: 1); // pauses of up to 30 rounds
        var filling = UpkeepRequests(router, context, rounds: 10);

        var settled = UpkeepRequests(router, context, rounds: 40);
        var table = router.Fingers;
        context.RoutingSuccessors = [P(3), P(4)]; // a peer joined at 3
        router.RefreshFingers(context.RoutingSuccessors);

        Assert.Equal([4UL, 4UL, 8UL, 14UL, 19UL, 2UL, 2UL, 2UL], table.Select(f => f?.Id));
        Assert.InRange(filling, 4, 10);
        Assert.InRange(settled, 1, 12); // a request every round would be 40
        Assert.NotEmpty(context.Sent);
    }

    [Fact]
    public void Successor_routing_keeps_no_fingers_up_to_date()
    {
        var (router, context) = RouterAt(2, [4, 5], predecessor: 19, RoutingMode.Successor);

        router.RefreshFingers(context.RoutingSuccessors);

        Assert.Empty(context.Sent);
    }
}
