using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>The neighbourhood alone, on a hand-set clock: predecessor slots by rank, declared deaths, the list's length and its events.</summary>
public sealed class NeighborhoodTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static Neighborhood At(ulong self, int successorCount = 2) =>
        new(new IdSpace(8), self, new PeerOptions { Id = self, PingInterval = Interval, MissedPingLimit = 3, SuccessorCount = successorCount });

    [Fact]
    public void A_closer_pinger_takes_a_rank_at_once_and_a_farther_one_only_once_the_holder_is_silent()
    {
        var peer = At(9);
        peer.HeardPing(1, P(5), T0);
        peer.HeardPing(1, P(8), T0 + TimeSpan.FromMilliseconds(100));     // closer: Zave's rectify
        Assert.Equal([8UL], peer.Predecessors.Select(p => p.Id));

        peer.HeardPing(1, P(5), T0 + TimeSpan.FromMilliseconds(200));     // farther, holder fresh: ignored
        Assert.Equal(8UL, peer.FirstPredecessor!.Id);

        peer.HeardPing(1, P(5), T0 + TimeSpan.FromSeconds(2));            // holder silent past interval + probe period
        Assert.Equal(5UL, peer.FirstPredecessor!.Id);
    }

    [Fact]
    public void A_pinger_that_moves_to_another_rank_leaves_the_slot_it_held()
    {
        // Seed 72 at 64 peers: 8 (the first predecessor) died, 5 moved from rank 2 to rank 1, and stayed second as well.
        var peer = At(9);
        peer.HeardPing(1, P(8), T0);
        peer.HeardPing(2, P(5), T0);
        peer.HeardPing(1, P(5), T0 + TimeSpan.FromSeconds(2));            // 8 silent past its interval + probe period

        Assert.Equal([5UL], peer.Predecessors.Select(p => p.Id));
        peer.HeardPing(2, P(3), T0 + TimeSpan.FromSeconds(2.1));          // the next pinger takes rank 2 at once
        Assert.Equal([5UL, 3UL], peer.Predecessors.Select(p => p.Id));
    }

    [Fact]
    public void A_ping_at_a_rank_beyond_the_successor_count_is_not_remembered_and_a_longer_count_keeps_more_ranks()
    {
        var two = At(9);
        two.HeardPing(3, P(4), T0);
        Assert.Empty(two.Predecessors);

        var three = At(9, successorCount: 3);
        three.HeardPing(1, P(8), T0);
        three.HeardPing(2, P(5), T0);
        three.HeardPing(3, P(4), T0);
        Assert.Equal([8UL, 5UL, 4UL], three.Predecessors.Select(p => p.Id));
        Assert.Equal([14UL, 19UL, 2UL], three.Compose([P(2), P(19), P(14), P(4)]).Select(p => p.Id));
    }

    [Fact]
    public void Silent_predecessors_are_forgotten_after_the_missed_ping_budget_and_a_round()
    {
        var peer = At(9);
        peer.HeardPing(1, P(8), T0);
        peer.ForgetSilentPredecessors(T0 + Interval * 4);
        Assert.Single(peer.Predecessors);
        peer.ForgetSilentPredecessors(T0 + Interval * 4 + TimeSpan.FromMilliseconds(1));
        Assert.Empty(peer.Predecessors);
    }

    [Fact]
    public void A_dead_successor_is_dropped_while_a_live_one_remains_and_kept_as_a_candidate_when_none_does()
    {
        var peer = At(9);
        var changes = 0;
        var declared = new List<ulong>();
        peer.Changed += () => changes++;
        peer.SuccessorDeclaredDead += declared.Add;
        peer.SetSuccessors([P(14), P(19)]);

        Assert.Equal([14UL], peer.DeclareDead([14UL], T0));
        Assert.Equal([19UL], peer.Successors.Select(s => s.Id));

        Assert.Equal([19UL], peer.DeclareDead([19UL, 19UL], T0));
        Assert.Equal([19UL], peer.Successors.Select(s => s.Id));   // the list never empties
        Assert.True(peer.IsDeadCandidate(19));
        Assert.Empty(peer.LiveSuccessors);
        Assert.Empty(peer.DeclareDead([19UL], T0));                 // already dead: said once
        Assert.Equal([14UL, 19UL], declared);
        Assert.Equal(3, changes);
    }

    [Fact]
    public void A_declared_death_is_remembered_for_a_while_unless_the_peer_is_vouched_for()
    {
        var peer = At(9);
        peer.SetSuccessors([P(14), P(19)]);
        peer.DeclareDead([14UL, 19UL], T0);

        Assert.Equal([14UL, 19UL], peer.RecentlyDead(T0 + Interval).Order());
        peer.Vouch(19);
        Assert.Equal([14UL], peer.RecentlyDead(T0 + Interval));
        Assert.Empty(peer.RecentlyDead(T0 + Interval * 5));
    }

    [Fact]
    public void A_death_at_a_known_incarnation_is_held_long_after_the_own_interval_until_the_peer_is_seen_at_a_higher_one()
    {
        var peer = At(9);
        peer.SetSuccessors([P(14), P(19)]);
        peer.HeardIncarnation(14, 5);                                // from its pongs
        peer.DeclareDead([14UL], T0);

        Assert.Contains(14UL, peer.HeldDead(T0 + Interval * 600));   // ten minutes: far past (limit + 1) intervals
        Assert.DoesNotContain(14UL, peer.RecentlyDead(T0 + Interval * 600));   // what a repair or a walk back leaves out: the old while
        peer.HeardIncarnation(14, 5);                                // a slow neighbour still offers it at the same one
        Assert.Contains(14UL, peer.HeldDead(T0 + Interval * 601));
        peer.HeardIncarnation(14, 6);                                // restarted, or it refuted: seen above the death
        Assert.DoesNotContain(14UL, peer.HeldDead(T0 + Interval * 602));
        Assert.Equal(6UL, peer.IncarnationOf(14));
    }

    [Fact]
    public void A_death_at_no_known_incarnation_is_held_only_the_old_while_and_one_kept_at_an_incarnation_goes_after_an_hour()
    {
        var peer = At(9);
        peer.SetSuccessors([P(14), P(19), P(2)]);
        peer.HeardIncarnation(19, 3);
        peer.DeclareDead([14UL, 19UL], T0);                          // 14 never answered a ping: its incarnation is unknown

        Assert.Equal([14UL, 19UL], peer.HeldDead(T0 + Interval * 4).Order());
        Assert.Equal([19UL], peer.HeldDead(T0 + Interval * 5));
        Assert.Empty(peer.HeldDead(T0 + DeathMemory.Memory + Interval));
    }

    [Fact]
    public void A_death_told_by_another_peer_is_held_and_told_on_once_unless_stale_unnumbered_or_of_a_live_successor()
    {
        var peer = At(9);
        peer.SetSuccessors([P(14), P(19)]);
        var heard = new List<DhtPs.Core.Protocol.PeerIncarnation>();
        peer.DeathHeard += heard.Add;
        peer.HeardIncarnation(40, 9);

        peer.HeardDeath(30, 7, T0);
        peer.HeardDeath(30, 7, T0 + Interval);                      // no news
        peer.HeardDeath(30, 6, T0 + Interval);                      // older: no news
        peer.HeardDeath(40, 8, T0);                                 // stale: 40 has been seen at 9 since
        peer.HeardDeath(50, 0, T0);                                 // unnumbered: nobody could ever end it
        peer.HeardDeath(14, 2, T0);                                 // a live successor: told on, yet it answers this peer's pings

        Assert.Equal([new(30, 7), new(14, 2)], heard);
        Assert.Equal([30UL], peer.HeldDead(T0 + Interval));     // a live successor is never held dead on hearsay
        Assert.Equal([new(14, 2), new(30, 7)], peer.DeathsToGossip(T0 + Interval)!.OrderBy(d => d.Id));
        Assert.Null(peer.DeathsToGossip(T0 + Interval * 5));        // told on for (limit + 1) intervals, then only held
        Assert.Contains(30UL, peer.HeldDead(T0 + Interval * 60));
    }

    [Fact]
    public void An_answer_lists_the_incarnations_known_of_the_peers_it_names_and_leaves_out_the_unknown()
    {
        var peer = At(9);
        peer.HeardIncarnation(14, 11);
        peer.HeardIncarnation(8, 2);

        Assert.Equal([new(14, 11), new(8, 2)], peer.IncarnationsOf([P(14), P(19), P(8), P(14), P(9)]));
        Assert.Null(peer.IncarnationsOf([P(19)]));
    }

    [Fact]
    public void A_predecessor_that_says_its_interval_is_kept_for_limit_plus_one_of_its_intervals_not_of_this_peers()
    {
        var peer = At(9);                                            // pings every 1 s
        var slow = TimeSpan.FromSeconds(30);
        peer.HeardPing(1, P(8), T0, slow);
        peer.HeardPing(2, P(5), T0);                                 // said nothing: this peer's own interval

        peer.ForgetSilentPredecessors(T0 + TimeSpan.FromSeconds(5)); // 5 s: past 4 of this peer's intervals
        Assert.Equal([8UL], peer.Predecessors.Select(p => p.Id));
        peer.HeardPing(1, P(7), T0 + TimeSpan.FromSeconds(20));      // farther, and the 30 s holder is not overdue
        Assert.Equal(8UL, peer.FirstPredecessor!.Id);
        peer.ForgetSilentPredecessors(T0 + slow * 4);
        Assert.Equal(8UL, peer.FirstPredecessor!.Id);
        peer.ForgetSilentPredecessors(T0 + slow * 4 + Interval);     // four of its own intervals of silence
        Assert.Empty(peer.Predecessors);
    }
}
