using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class FingerTableTests
{
    private static readonly IdSpace Byte = new(8);

    private static PeerContact Peer(ulong id) => PeerContact.ForId(id);

    private static ulong[] Ids(IEnumerable<PeerContact> peers) => peers.Select(p => p.Id).ToArray();

    [Fact]
    public void Finger_starts_are_the_owner_plus_powers_of_two_wrapping_past_the_top()
    {
        var table = new FingerTable(Byte, 200);
        Assert.Equal([201UL, 202, 204, 208, 216, 232, 8, 72], Enumerable.Range(0, 8).Select(table.StartOf));
        Assert.Equal(0UL, new FingerTable(new IdSpace(64), ulong.MaxValue).StartOf(0));
        Assert.Equal((1UL << 63) - 1, new FingerTable(new IdSpace(64), ulong.MaxValue).StartOf(63));
    }

    [Fact]
    public void Closest_preceding_offers_the_known_peers_before_the_key_nearest_first_each_once()
    {
        var table = new FingerTable(Byte, 10);
        table.Learn(4, Peer(30)); // start 26
        table.Learn(5, Peer(50)); // start 42
        table.Learn(6, Peer(80)); // start 74
        table.Learn(7, Peer(140)); // start 138

        Assert.Equal([50UL, 30, 12], Ids(table.ClosestPreceding(60, [Peer(12), Peer(30)])));
        Assert.Equal([140UL, 80, 50, 30, 12], Ids(table.ClosestPreceding(9, [Peer(12)])));
        // A finger at the key itself does not precede it; nothing lies between the owner and its own id + 1.
        Assert.Equal([30UL, 12], Ids(table.ClosestPreceding(50, [Peer(12)])));
        Assert.Empty(table.ClosestPreceding(11, [Peer(12)]));
    }

    [Fact]
    public void Closest_preceding_wraps_past_the_top()
    {
        var table = new FingerTable(Byte, 240);
        table.Learn(3, Peer(250)); // start 248
        table.Learn(4, Peer(3)); // start 0, past the top
        table.Learn(5, Peer(20)); // start 16

        Assert.Equal([3UL, 250], Ids(table.ClosestPreceding(10, [])));
        Assert.Equal([20UL, 3, 250], Ids(table.ClosestPreceding(239, [])));
    }

    [Fact]
    public void An_empty_table_falls_back_to_the_successors_and_never_offers_its_owner()
    {
        var table = new FingerTable(Byte, 10);
        Assert.All(table.Entries, Assert.Null);
        Assert.Equal([15UL], Ids(table.ClosestPreceding(100, [Peer(10), Peer(15)])));
        Assert.Empty(new FingerTable(Byte, 10).ClosestPreceding(100, []));
    }

    [Fact]
    public void Learning_a_finger_fills_the_following_ones_that_share_its_successor()
    {
        var table = new FingerTable(Byte, 10);
        Assert.Equal(5, table.Learn(2, Peer(30))); // starts 14, 18, 26 all reach 30; 42 does not
        Assert.Equal([null, null, 30UL, 30UL, 30UL, null, null, null], table.Entries.Select(e => e?.Id));

        // The owner itself as successor: every later start wraps round to it.
        var alone = new FingerTable(Byte, 10);
        Assert.Equal(8, alone.Learn(3, Peer(10)));
        Assert.Equal([null, null, null, 10UL, 10UL, 10UL, 10UL, 10UL], alone.Entries.Select(e => e?.Id));
    }

    [Fact]
    public void Seeding_copies_the_successor_list_into_the_prefix_it_covers()
    {
        var table = new FingerTable(Byte, 10);
        Assert.Equal(3, table.Seed([Peer(12), Peer(15)])); // starts 11, 12 -> 12; 14 -> 15; 18 is beyond
        Assert.Equal([12UL, 12UL, 15UL, null, null, null, null, null], table.Entries.Select(e => e?.Id));
        Assert.Equal(0, new FingerTable(Byte, 10).Seed([]));
    }

    [Fact]
    public void Forgetting_a_peer_drops_every_finger_naming_it_without_touching_a_snapshot()
    {
        var table = new FingerTable(Byte, 10);
        table.Learn(2, Peer(30));
        table.Learn(5, Peer(50));
        var before = table.Entries;

        table.Forget(30);

        Assert.Equal([null, null, null, null, null, 50UL, null, null], table.Entries.Select(e => e?.Id));
        Assert.Equal([null, null, 30UL, 30UL, 30UL, 50UL, null, null], before.Select(e => e?.Id));
        Assert.Same(table.Entries, Unchanged(table));
    }

    /// <summary>A write that changes nothing keeps the same snapshot (no copy per ping round).</summary>
    private static IReadOnlyList<PeerContact?> Unchanged(FingerTable table)
    {
        table.Forget(99);
        return table.Entries;
    }
}
