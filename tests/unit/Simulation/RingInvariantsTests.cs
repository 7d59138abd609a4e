using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Simulation.Invariants;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>The checker on hand-made snapshots: it accepts correct rings and names each broken invariant.</summary>
public sealed class RingInvariantsTests
{
    private static readonly IdSpace Space = new(8);

    private static DhtPeer Peer(ulong id, ulong[] successors, params ulong[] predecessors) =>
        new(id, 8, System.Net.IPEndPoint.Parse($"10.0.0.{id}:12000"), PeerStatus.Running, predecessors, successors, TimeSpan.FromSeconds(1), [], [], 0, default);

    /// <summary>The assignment's ring 2,4,5,8,9,14,19 with correct successors and predecessors.</summary>
    private static List<DhtPeer> Ring()
    {
        ulong[] ids = [2, 4, 5, 8, 9, 14, 19];
        return ids.Select((id, i) => Peer(id, [ids[(i + 1) % 7], ids[(i + 2) % 7]], ids[(i + 6) % 7], ids[(i + 5) % 7])).ToList();
    }

    private static string[] Broken(IReadOnlyList<DhtPeer> live) => RingInvariants.Check(Space, live).Select(v => v.Invariant).Distinct().ToArray();

    [Fact]
    public void A_correct_ring_passes_and_so_does_one_that_skips_a_crashed_member()
    {
        Assert.Empty(RingInvariants.Check(Space, Ring()));
        Assert.Empty(PredecessorInvariant.Check(Ring()));
        Assert.Empty(RingInvariants.Check(Space, Ring().Where(p => p.Id != 9).ToList()));
    }

    [Fact]
    public void A_member_whose_successors_are_all_dead_breaks_LiveSuccCondition_and_leaves_no_ring()
    {
        var live = Ring().Where(p => p.Id is not (14 or 19)).ToList();
        Assert.Equal(["LiveSuccCondition", "AtLeastOneRing"], Broken(live));
        Assert.Contains(RingInvariants.Check(Space, live), v => v.Detail == "peer 9 has no live member in its successor list [14, 19]");
    }

    [Fact]
    public void An_appendage_that_leads_to_a_member_without_live_successors_breaks_ConnectedAppendages()
    {
        var live = Ring();
        live.Add(Peer(16, [17, 18])); // 17 and 18 are dead.
        live.Add(Peer(15, [16, 19]));
        Assert.Equal(["LiveSuccCondition", "ConnectedAppendages"], Broken(live));
        Assert.Equal(2, RingInvariants.Check(Space, live).Count(v => v.Invariant == "ConnectedAppendages"));
    }

    [Fact]
    public void Two_separate_cycles_break_AtMostOneRing()
    {
        var live = Ring();
        live[1] = Peer(4, [2, 5]);
        live[6] = Peer(19, [5, 8]); // Now 2 -> 4 -> 2 and 5 -> 8 -> 9 -> 14 -> 19 -> 5.
        Assert.Contains("AtMostOneRing", Broken(live));
    }

    [Fact]
    public void A_cycle_that_wraps_twice_breaks_OrderedRing()
    {
        var live = new List<DhtPeer> { Peer(2, [8, 4]), Peer(8, [4, 14]), Peer(4, [14, 2]), Peer(14, [2, 8]) };
        Assert.Contains("OrderedRing", Broken(live));
    }

    [Fact]
    public void A_successor_list_out_of_ring_order_breaks_OrderedSuccessorLists()
    {
        var live = Ring();
        live[0] = Peer(2, [5, 4]);
        Assert.Equal(["OrderedSuccessorLists"], Broken(live));
    }

    [Fact]
    public void An_appendage_that_reaches_the_ring_is_accepted()
    {
        var live = Ring();
        live.Add(Peer(15, [19, 2])); // A joiner that knows its successors but is not yet anyone's successor.
        Assert.Empty(RingInvariants.Check(Space, live));
    }

    [Fact]
    public void Predecessors_must_be_exactly_the_live_peers_that_ping_at_each_rank()
    {
        var missing = Ring();
        missing[0] = Peer(2, [4, 5], 19);
        Assert.Contains(PredecessorInvariant.Check(missing), v => v.Detail == "peer 2 knows predecessors [19], the live peers pinging it are [19, 14]");

        var stale = Ring().Where(p => p.Id != 19).ToList(); // 19 crashed, but 2 and 4 still list it.
        Assert.Equal(2, PredecessorInvariant.Check(stale).Count);
    }
}
