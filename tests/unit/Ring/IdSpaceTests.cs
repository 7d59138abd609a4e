using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Ring;

public sealed class IdSpaceTests
{
    private static readonly IdSpace Byte = new(8);
    private static readonly ulong[] OriginalRing = [2, 4, 5, 8, 9, 14, 19];

    [Theory]
    [InlineData(1, 1UL)]
    [InlineData(8, 255UL)]
    [InlineData(16, 65535UL)]
    [InlineData(64, ulong.MaxValue)]
    public void MaxId_is_two_to_the_bits_minus_one(int bits, ulong max) => Assert.Equal(max, new IdSpace(bits).MaxId);

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Refuses_widths_outside_1_to_64(int bits) => Assert.Throws<ArgumentOutOfRangeException>(() => new IdSpace(bits));

    [Theory]
    [InlineData(2012UL, 220UL)]
    [InlineData(2067UL, 19UL)]
    [InlineData(4103UL, 7UL)]
    [InlineData(255UL, 255UL)]
    [InlineData(256UL, 0UL)]
    public void Reduce_is_mod_256_by_default(ulong value, ulong key) => Assert.Equal(key, Byte.Reduce(value));

    [Theory]
    [InlineData(5UL, 4UL, 8UL, true)]
    [InlineData(8UL, 4UL, 8UL, true)]   // closed at the end
    [InlineData(4UL, 4UL, 8UL, false)]  // open at the start
    [InlineData(9UL, 4UL, 8UL, false)]
    [InlineData(250UL, 240UL, 3UL, true)] // wraps past the top
    [InlineData(1UL, 240UL, 3UL, true)]
    [InlineData(3UL, 240UL, 3UL, true)]
    [InlineData(240UL, 240UL, 3UL, false)]
    [InlineData(100UL, 240UL, 3UL, false)]
    [InlineData(7UL, 7UL, 7UL, true)]   // (a, a] is the whole ring
    [InlineData(9UL, 7UL, 7UL, true)]
    public void InHalfOpen_wraps(ulong x, ulong from, ulong to, bool expected) => Assert.Equal(expected, Byte.InHalfOpen(x, from, to));

    [Theory]
    [InlineData(8UL, 4UL, 8UL, false)]
    [InlineData(5UL, 4UL, 8UL, true)]
    [InlineData(0UL, 250UL, 3UL, true)]
    [InlineData(3UL, 250UL, 3UL, false)]
    [InlineData(7UL, 7UL, 7UL, false)]  // (a, a) is everything but a
    [InlineData(8UL, 7UL, 7UL, true)]
    public void InOpen_wraps(ulong x, ulong from, ulong to, bool expected) => Assert.Equal(expected, Byte.InOpen(x, from, to));

    [Theory]
    [InlineData(220UL, 2UL)] // file 2012 wraps past 19 to peer 2
    [InlineData(19UL, 19UL)] // a key equal to a peer id lives on that peer
    [InlineData(7UL, 8UL)]   // file 4103
    [InlineData(0UL, 2UL)]
    [InlineData(3UL, 4UL)]
    [InlineData(15UL, 19UL)]
    public void SuccessorOf_finds_the_closest_successor(ulong key, ulong owner) => Assert.Equal(owner, Byte.SuccessorOf(key, OriginalRing));

    [Fact]
    public void Distances_and_intervals_hold_at_64_bits()
    {
        var wide = new IdSpace(64);
        Assert.Equal(2UL, wide.Distance(ulong.MaxValue, 1));
        Assert.True(wide.InHalfOpen(0, ulong.MaxValue - 1, 1));
        Assert.Equal(ulong.MaxValue, wide.SuccessorOf(ulong.MaxValue - 5, [1, ulong.MaxValue]));
        Assert.Equal(1UL, wide.SuccessorOf(0, [1, ulong.MaxValue]));
    }

    [Fact]
    public void SuccessorOf_an_empty_ring_is_an_error() =>
        Assert.Throws<InvalidOperationException>(() => Byte.SuccessorOf(1, []));
}
