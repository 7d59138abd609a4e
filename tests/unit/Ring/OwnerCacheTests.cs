using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class OwnerCacheTests
{
    private static readonly IdSpace Space = new(8);

    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    [Fact]
    public void A_key_in_a_learned_range_names_its_owner_and_a_key_outside_it_names_none()
    {
        var cache = new OwnerCache(Space, capacity: 4);
        cache.Learn(from: 5, P(9));

        Assert.Equal([null, 9UL, 9UL, null], new ulong[] { 5, 6, 9, 10 }.Select(k => cache.OwnerOf(k)?.Id));
    }

    [Fact]
    public void A_range_that_wraps_past_zero_covers_both_ends()
    {
        var cache = new OwnerCache(Space, capacity: 4);
        cache.Learn(from: 250, P(3));

        Assert.Equal([3UL, 3UL, 3UL, null], new ulong[] { 251, 0, 3, 4 }.Select(k => cache.OwnerOf(k)?.Id));
    }

    [Fact]
    public void A_newer_range_that_overlaps_an_older_one_replaces_it_and_disjoint_ranges_stay()
    {
        var cache = new OwnerCache(Space, capacity: 4);
        cache.Learn(from: 5, P(9));     // (5, 9]
        cache.Learn(from: 20, P(30));   // (20, 30], disjoint
        cache.Learn(from: 5, P(7));     // a peer joined at 7: (5, 7] is older 9's news too

        Assert.Equal([7UL, null, 30UL], new ulong[] { 6, 8, 25 }.Select(k => cache.OwnerOf(k)?.Id));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void A_range_inside_an_older_one_replaces_it()
    {
        var cache = new OwnerCache(Space, capacity: 4);
        cache.Learn(from: 0, P(100));
        cache.Learn(from: 40, P(60));

        Assert.Equal([null, 60UL], new ulong[] { 20, 50 }.Select(k => cache.OwnerOf(k)?.Id));
    }

    [Fact]
    public void A_full_cache_drops_its_oldest_entry_and_a_forgotten_owner_is_gone()
    {
        var cache = new OwnerCache(Space, capacity: 2);
        cache.Learn(from: 0, P(10));
        cache.Learn(from: 10, P(20));
        cache.Learn(from: 20, P(30));
        cache.Forget(20);

        Assert.Equal([null, null, 30UL], new ulong[] { 5, 15, 25 }.Select(k => cache.OwnerOf(k)?.Id));
        Assert.Equal(1, cache.Count);
    }
}
