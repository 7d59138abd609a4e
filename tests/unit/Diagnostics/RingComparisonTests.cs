using DhtPs.Core.Diagnostics;
using DhtPs.Core.Peer;

namespace DhtPs.Tests.Unit.Diagnostics;

/// <summary>Rings held against the ring they should be: what matches, and the words for what does not.</summary>
public sealed class RingComparisonTests
{
    private static readonly ulong[] Original = [2, 4, 5, 8, 9, 14, 19];

    private static DhtRingMember Member(ulong id, ulong[] successors, ulong[] predecessors) =>
        new(id, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, (int)(12000 + id)), successors, predecessors);

    /// <summary>The consistent ring of these ids, walked from <paramref name="start"/>.</summary>
    private static List<DhtRingMember> Consistent(ulong[] ids, int start = 0)
    {
        var n = ids.Length;
        return Enumerable.Range(0, n).Select(k => (start + k) % n)
            .Select(i => Member(ids[i], [ids[(i + 1) % n], ids[(i + 2) % n]], [ids[(i + n - 1) % n], ids[(i + n - 2) % n]])).ToList();
    }

    private static RingWalk Closed(List<DhtRingMember> members) => new(members, true, null);

    [Fact]
    public void A_consistent_ring_matches_its_ids_from_whichever_member_the_walk_started()
    {
        Assert.True(RingComparison.Compare(Original, Closed(Consistent(Original))).Matches);
        Assert.True(RingComparison.Compare([19, 2, 8, 4, 5, 9, 14], Closed(Consistent(Original, start: 3))).Matches);
        Assert.True(RingHealthCheck.Inspect(Closed(Consistent(Original, start: 5)), "14", DateTimeOffset.UnixEpoch).IsHealthy);
    }

    [Fact]
    public void Rings_of_one_and_two_list_only_the_others()
    {
        Assert.True(RingComparison.Compare([7], Closed([Member(7, [], [])])).Matches);
        Assert.True(RingComparison.Compare([7, 15], Closed([Member(7, [15], [15]), Member(15, [7], [7])])).Matches);
        var expected = RingComparison.Expect([15, 7]);
        Assert.Equal([15UL], expected[0].Successors);
        Assert.Equal([7UL], expected[1].Predecessors);
    }

    [Fact]
    public void A_missing_member_and_the_neighbours_that_still_list_it_are_named_peer_by_peer()
    {
        // Peer 9 was killed: 8 already skips it, the others have not yet noticed.
        var walked = Consistent(Original).Where(m => m.Id != 9).ToList();
        walked[3] = Member(8, [14, 19], [5, 4]);
        var comparison = RingComparison.Compare(Original, Closed(walked));

        Assert.False(comparison.Matches);
        Assert.Contains(comparison.Differences, d => d is { Kind: DhtRingProblemKind.MissingMember, PeerId: 9UL });
        var eight = Assert.Single(comparison.Differences, d => d.PeerId == 8);
        Assert.Equal("Peer 8 lists successors 14, 19; expected 9, 14.", eight.Message);
        // Peer 14 lists 9 as its predecessor, as the expected ring does: no difference there.
        Assert.DoesNotContain(comparison.Differences, d => d.PeerId == 14);
    }

    [Fact]
    public void The_side_by_side_text_shows_both_rings_and_marks_the_differing_rows()
    {
        var walked = Consistent(Original).Where(m => m.Id != 9).ToList();
        walked[3] = Member(8, [14, 19], [5, 4]);
        var text = RingComparison.Compare(Original, Closed(walked)).SideBySide();
        var lines = text.Split('\n').Select(l => l.TrimEnd()).ToArray();

        Assert.Equal("  peer  expected: successors | predecessors  actual: successors | predecessors", lines[0]);
        Assert.Equal("     2  4, 5 | 19, 14                        4, 5 | 19, 14", lines[1]);
        Assert.Equal("*    8  9, 14 | 5, 4                         14, 19 | 5, 4", lines[4]);
        Assert.Equal("*    9  14, 19 | 8, 5                        (not on the ring)", lines[5]);
        Assert.Contains("Walked in order: 2, 4, 5, 8, 14, 19.", lines);
        Assert.Contains("- Peer 9 is not on the ring.", lines);
        Assert.Contains("- Peer 8 lists successors 14, 19; expected 9, 14.", lines);
    }

    [Fact]
    public void An_incomplete_walk_says_where_it_stopped_and_which_peers_it_never_reached()
    {
        var walk = new RingWalk(Consistent(Original).Take(3).ToList(), false, "Peer at 127.0.0.1:12008 did not answer within 5 s.");
        var report = RingHealthCheck.Inspect(walk, "2", DateTimeOffset.UnixEpoch);
        Assert.False(report.IsHealthy);
        Assert.Equal(DhtRingProblemKind.WalkIncomplete, report.Problems[0].Kind);
        Assert.Equal(5UL, report.Problems[0].PeerId);
        Assert.Equal("The walk stopped after peer 5, at its first successor, peer 8: Peer at 127.0.0.1:12008 did not answer within 5 s.", report.Problems[0].Message);

        var comparison = RingExpectation.OfMembers(Original).Evaluate(report);
        Assert.Contains(comparison.Differences, d => d is { Kind: DhtRingProblemKind.MissingMember, PeerId: 8UL, Message: "Peer 8 was not reached." });
    }

    [Fact]
    public void A_walk_out_of_identifier_order_is_unhealthy()
    {
        var walked = new List<DhtRingMember> { Member(2, [5, 4], [4, 5]), Member(5, [4, 2], [2, 4]), Member(4, [2, 5], [5, 2]) };
        var report = RingHealthCheck.Inspect(Closed(walked), "2", DateTimeOffset.UnixEpoch);
        Assert.Contains(report.Problems, p => p is { Kind: DhtRingProblemKind.OutOfOrder, Message: "The walk visited 2, 5, 4: not in identifier order." });
        Assert.Contains(report.Problems, p => p is { Kind: DhtRingProblemKind.SuccessorMismatch, PeerId: 2UL });
    }

    [Fact]
    public void A_member_that_has_not_yet_heard_its_predecessors_is_unhealthy()
    {
        var walked = Consistent(Original);
        walked[2] = Member(5, [8, 9], []);
        var report = RingHealthCheck.Inspect(Closed(walked), "2", DateTimeOffset.UnixEpoch);
        var problem = Assert.Single(report.Problems);
        Assert.Equal("Peer 5 lists predecessors ; expected 4, 2.", problem.Message);
    }

    [Fact]
    public void Count_and_healthy_expectations_hold_the_ring_against_itself()
    {
        var report = RingHealthCheck.Inspect(Closed(Consistent(Original)), "2", DateTimeOffset.UnixEpoch);
        Assert.True(RingExpectation.OfCount(7).Evaluate(report).Matches);
        Assert.True(RingExpectation.Healthy.Evaluate(report).Matches);
        var eight = RingExpectation.OfCount(8).Evaluate(report);
        Assert.Equal("The ring has 7 members; expected 8.", Assert.Single(eight.Differences).Message);
        Assert.Equal("a consistent ring of 8 members", RingExpectation.OfCount(8).Description);
        Assert.Equal("the ring 2, 4, 5", RingExpectation.OfMembers([5, 2, 4]).Description);
    }

    [Fact]
    public async Task The_waiter_looks_again_until_the_ring_matches()
    {
        var time = new SteppedClock();
        var looks = 0;
        Task<DhtRingReport> Inspect(CancellationToken _)
        {
            looks++;
            var ids = looks < 3 ? Original[..6] : Original;
            time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(RingHealthCheck.Inspect(Closed(Consistent(ids)), "2", time.GetUtcNow()));
        }
        var result = await RingWaiter.WaitAsync(Inspect, RingExpectation.OfMembers(Original), TimeSpan.FromSeconds(30), TimeSpan.Zero, time);
        Assert.True(result.Matched);
        Assert.Equal(3, looks);
    }

    [Fact]
    public async Task The_waiter_gives_up_at_the_timeout_with_the_last_comparison()
    {
        var time = new SteppedClock();
        Task<DhtRingReport> Inspect(CancellationToken _)
        {
            time.Advance(TimeSpan.FromSeconds(4));
            return Task.FromResult(RingHealthCheck.Inspect(Closed(Consistent(Original[..6])), "2", time.GetUtcNow()));
        }
        var result = await RingWaiter.WaitAsync(Inspect, RingExpectation.OfMembers(Original), TimeSpan.FromSeconds(10), TimeSpan.Zero, time);
        Assert.False(result.Matched);
        Assert.Equal(TimeSpan.FromSeconds(12), result.Elapsed);
        Assert.Contains(result.Comparison.Differences, d => d is { Kind: DhtRingProblemKind.MissingMember, PeerId: 19UL });
    }
}

/// <summary>A clock that moves only when told: the waiter's looks advance it.</summary>
internal sealed class SteppedClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(_ticks);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}

public sealed class FileHoldingTests
{
    private static readonly DhtPs.Core.Ring.IdSpace Space = new(8);
    private static readonly ulong[] Ring = [2, 4, 5, 8, 9, 14, 19];

    [Fact]
    public void A_file_is_expected_at_the_successor_of_its_key_and_named_peer_by_peer_when_it_is_elsewhere()
    {
        var held = FileHolding.Check("2067", Space, Ring, id => id == 14);
        Assert.Equal(19UL, held.Key);
        Assert.Equal([19UL], held.Expected);
        Assert.False(held.Matches);
        Assert.Equal(["File 2067 has key 19:", "  peer 19 (owner): does not hold it", "  peer 14 (neither owner nor replica): holds it"],
            held.Describe().Split(Environment.NewLine));
        Assert.True(FileHolding.Check("2067", Space, Ring, id => id == 19).Matches);
    }

    [Fact]
    public void With_copies_the_next_members_are_expected_too_wrapping_past_the_top()
    {
        var held = FileHolding.Check("2012.pdf", Space, Ring, id => id is 2 or 5, copies: 3);
        Assert.Equal(220UL, held.Key);
        Assert.Equal([2UL, 4UL, 5UL], held.Expected);
        Assert.Equal([4UL], held.Missing);
    }

    [Fact]
    public void Successor_lists_are_compared_position_by_position()
    {
        Assert.Null(RingComparison.DescribeSuccessors(2, [4, 5], [4, 5]));
        Assert.Equal("peer 2 lists successors 4, 8: successor 2 is 8, not 5", RingComparison.DescribeSuccessors(2, [4, 8], [4, 5]));
        Assert.Equal("peer 2 lists successors 4: successor 2 is missing, not 5", RingComparison.DescribeSuccessors(2, [4], [4, 5]));
    }
}
