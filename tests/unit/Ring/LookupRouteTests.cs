using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class LookupRouteTests
{
    private static readonly IdSpace Byte = new(8);

    private static PeerContact Peer(ulong id) => PeerContact.ForId(id);

    private static (ulong, bool)[] Route(FingerTable fingers, PeerContact[] successors, ulong key) =>
        LookupRoute.NextHops(Byte, fingers, successors, key).Select(h => (h.Peer.Id, h.ToOwner)).ToArray();

    private static FingerTable FingersOf10()
    {
        var table = new FingerTable(Byte, 10);
        table.Learn(4, Peer(30));
        table.Learn(5, Peer(50));
        table.Learn(6, Peer(80));
        return table;
    }

    [Fact]
    public void A_key_far_away_goes_to_the_closest_preceding_finger_with_the_successors_as_fallback()
    {
        Assert.Equal([(80UL, false), (50UL, false), (30UL, false), (15UL, false), (12UL, false)],
            Route(FingersOf10(), [Peer(12), Peer(15)], 100));
    }

    [Fact]
    public void A_key_at_or_before_the_first_successor_goes_to_it_as_owner_then_to_the_next_one()
    {
        Assert.Equal([(12UL, true), (15UL, true)], Route(FingersOf10(), [Peer(12), Peer(15)], 11));
        Assert.Equal([(12UL, true), (15UL, true)], Route(FingersOf10(), [Peer(12), Peer(15)], 12));
    }

    [Fact]
    public void A_key_owned_by_the_second_successor_passes_the_first_and_falls_back_to_the_second_as_owner()
    {
        Assert.Equal([(12UL, false), (15UL, true)], Route(FingersOf10(), [Peer(12), Peer(15)], 14));
    }

    [Fact]
    public void A_stale_finger_between_the_owner_and_its_first_successor_is_a_last_resort()
    {
        var fingers = new FingerTable(Byte, 10);
        fingers.Learn(0, Peer(11)); // 11 has left (or the list has not caught up with it)
        Assert.Equal([(20UL, true), (11UL, false)], Route(fingers, [Peer(20)], 15));
    }

    [Fact]
    public void With_no_successor_and_no_finger_there_is_nowhere_to_go()
    {
        Assert.Empty(Route(new FingerTable(Byte, 10), [], 100));
    }
}
