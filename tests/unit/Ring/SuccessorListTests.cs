using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class SuccessorListTests
{
    private static readonly IdSpace Byte = new(8);

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static ulong[] Ids(IEnumerable<PeerContact> contacts) => contacts.Select(c => c.Id).ToArray();

    [Fact]
    public void Keeps_the_nearest_two_in_ring_order_from_the_owner_wrapping_past_the_top() =>
        Assert.Equal([2UL, 4UL], Ids(SuccessorList.Compose(Byte, 19, [P(5), P(4), P(2)])));

    [Fact]
    public void Drops_the_owner_duplicates_and_the_peers_known_gone() =>
        Assert.Equal([19UL, 2UL], Ids(SuccessorList.Compose(Byte, 9, [P(9), P(14), P(19), P(19), P(2)], new HashSet<ulong> { 14 })));

    [Theory]
    [InlineData(8UL, new ulong[] { 9, 14 }, new ulong[] { 14, 19 })] // SPEC §5: peer 8 when 9 departs
    [InlineData(5UL, new ulong[] { 8, 9 }, new ulong[] { 8, 14 })]   // SPEC §5: peer 5 when 9 departs
    public void A_departing_successor_is_replaced_by_its_successors(ulong owner, ulong[] current, ulong[] expected)
    {
        var candidates = current.Concat([14UL, 19UL]).Select(P);
        Assert.Equal(expected, Ids(SuccessorList.Compose(Byte, owner, candidates, new HashSet<ulong> { 9 })));
    }

    [Fact]
    public void Repair_at_the_first_predecessor_takes_the_old_second_successor_and_its_first() =>
        // SPEC §6: 14 dies; 9 asks 19, whose successors are 2 and 4.
        Assert.Equal([19UL, 2UL], Ids(SuccessorList.Compose(Byte, 9, [P(19), P(19), P(2), P(4)], new HashSet<ulong> { 14 })));

    [Fact]
    public void Repair_at_the_second_predecessor_filters_the_dead_peer_from_the_answer() =>
        // SPEC §6: 14 dies; 8 asks 9, which has not noticed yet and still lists 14, 19.
        Assert.Equal([9UL, 19UL], Ids(SuccessorList.Compose(Byte, 8, [P(9), P(9), P(14), P(19)], new HashSet<ulong> { 14 })));

    [Fact]
    public void A_joiner_takes_the_acceptors_successors() =>
        Assert.Equal([19UL, 2UL], Ids(SuccessorList.ForJoiner(Byte, P(15), P(14), [P(19), P(2)])));

    [Fact]
    public void A_joiner_of_a_ring_of_one_gets_the_lone_peer_as_its_only_successor() =>
        Assert.Equal([7UL], Ids(SuccessorList.ForJoiner(Byte, P(15), P(7), [])));

    [Fact]
    public void A_joiner_of_a_ring_of_two_gets_both_members_in_order()
    {
        // Ring {7, 15}: 20 is accepted by 15, whose only successor is 7.
        Assert.Equal([7UL, 15UL], Ids(SuccessorList.ForJoiner(Byte, P(20), P(15), [P(7)])));
        // Ring {7, 15}: 10 is accepted by 7, whose only successor is 15.
        Assert.Equal([15UL, 7UL], Ids(SuccessorList.ForJoiner(Byte, P(10), P(7), [P(15)])));
    }
}
