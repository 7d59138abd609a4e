using DhtPs.Core.Peer;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>The calm-ring membership check on hand-made snapshots: churn must leave one ring of every member and no trace of the gone.</summary>
public sealed class MembershipInvariantTests
{
    private static DhtPeer Peer(ulong id, params ulong[] successors) =>
        new(id, 8, System.Net.IPEndPoint.Parse($"10.0.0.{id}:12000"), PeerStatus.Running, [], successors, TimeSpan.FromSeconds(1), [], [], 0, default);

    /// <summary>The ring 2,4,5,8,9,14,19, after 15 joined between 14 and 19 and 12 left from between 9 and 14.</summary>
    private static List<DhtPeer> Ring()
    {
        ulong[] ids = [2, 4, 5, 8, 9, 14, 15, 19];
        return ids.Select((id, i) => Peer(id, ids[(i + 1) % ids.Length], ids[(i + 2) % ids.Length])).ToList();
    }

    private static string[] Broken(IReadOnlyList<DhtPeer> live, params ulong[] gone) =>
        MembershipInvariant.Check(live, gone).Select(v => v.Invariant).Distinct().ToArray();

    [Fact]
    public void A_ring_of_every_member_that_lists_none_of_the_gone_passes()
    {
        Assert.Empty(MembershipInvariant.Check(Ring(), [12]));
    }

    [Fact]
    public void A_joined_member_that_nobody_has_as_first_successor_is_off_the_ring()
    {
        var live = Ring();
        live[5] = Peer(14, 19, 2); // 14 skips the newcomer 15, which still points into the ring: a valid appendage, but not on the ring.
        Assert.Equal([MembershipInvariant.OnRing], Broken(live));
        Assert.Equal("the ring of first successors (7 members) leaves out peer(s) 15", Assert.Single(MembershipInvariant.Check(live, [])).Detail);
    }

    [Fact]
    public void Two_rings_leave_the_members_of_the_other_out()
    {
        var live = Ring();
        live[1] = Peer(4, 2, 5); // 2 -> 4 -> 2, and the rest on a ring of their own.
        live[7] = Peer(19, 5, 8);
        Assert.Contains(MembershipInvariant.Check(live, []), v => v.Detail == "the ring of first successors (2 members) leaves out peer(s) 5, 8, 9, 14, 15, 19");
    }

    [Fact]
    public void A_first_successor_that_is_no_live_member_breaks_the_ring()
    {
        var live = Ring();
        live[4] = Peer(9, 12, 14); // 12 left, yet 9 still has it first.
        Assert.Equal([MembershipInvariant.GoneForgotten, MembershipInvariant.OnRing], Broken(live, 12));
        Assert.Contains(MembershipInvariant.Check(live, [12]), v => v.Detail == "peer 9 has peer 12, not a live member, as first successor");
    }

    [Fact]
    public void A_gone_member_still_listed_second_is_caught_though_the_ring_is_whole()
    {
        var live = Ring();
        live[4] = Peer(9, 14, 12);
        var violation = Assert.Single(MembershipInvariant.Check(live, [12]));
        Assert.Equal((MembershipInvariant.GoneForgotten, "peer 9 still lists peer 12, which is gone"), (violation.Invariant, violation.Detail));
    }
}
