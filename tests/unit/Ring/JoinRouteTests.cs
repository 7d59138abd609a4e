using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class JoinRouteTests
{
    private static readonly IdSpace Byte = new(8);

    [Theory]
    // SPEC §4, join 15 4 on the ring 2,4,5,8,9,14,19: forwarded by 4, 5, 8, 9 and accepted by 14.
    [InlineData(4UL, 5UL, 15UL, JoinVerdict.Forward)]
    [InlineData(5UL, 8UL, 15UL, JoinVerdict.Forward)]
    [InlineData(8UL, 9UL, 15UL, JoinVerdict.Forward)]
    [InlineData(9UL, 14UL, 15UL, JoinVerdict.Forward)]
    [InlineData(14UL, 19UL, 15UL, JoinVerdict.Accept)]
    // Below every peer and above every peer: both belong after the highest peer, across the wrap.
    [InlineData(19UL, 2UL, 1UL, JoinVerdict.Accept)]
    [InlineData(19UL, 2UL, 0UL, JoinVerdict.Accept)]
    [InlineData(19UL, 2UL, 255UL, JoinVerdict.Accept)]
    [InlineData(2UL, 4UL, 1UL, JoinVerdict.Forward)]
    [InlineData(14UL, 19UL, 20UL, JoinVerdict.Forward)]
    // An id already in the ring: at the peer itself or at its predecessor.
    [InlineData(8UL, 9UL, 9UL, JoinVerdict.IdTaken)]
    [InlineData(9UL, 14UL, 9UL, JoinVerdict.IdTaken)]
    public void Routes_a_join_to_the_peer_after_which_the_joiner_belongs(ulong self, ulong successor, ulong joiner, JoinVerdict expected) =>
        Assert.Equal(expected, JoinRoute.Decide(Byte, self, successor, joiner));

    [Fact]
    public void A_ring_of_one_takes_any_other_id_and_refuses_its_own()
    {
        Assert.Equal(JoinVerdict.Accept, JoinRoute.Decide(Byte, 7, null, 15));
        Assert.Equal(JoinVerdict.Accept, JoinRoute.Decide(Byte, 7, null, 3));
        Assert.Equal(JoinVerdict.IdTaken, JoinRoute.Decide(Byte, 7, null, 7));
    }

    [Fact]
    public void A_ring_of_two_accepts_on_either_side()
    {
        Assert.Equal(JoinVerdict.Accept, JoinRoute.Decide(Byte, 7, 15, 10));
        Assert.Equal(JoinVerdict.Forward, JoinRoute.Decide(Byte, 7, 15, 20));
        Assert.Equal(JoinVerdict.Accept, JoinRoute.Decide(Byte, 15, 7, 20));
    }
}
