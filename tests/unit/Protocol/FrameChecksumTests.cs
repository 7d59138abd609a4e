using System.IO.Hashing;
using DhtPs.Core.Protocol;

namespace DhtPs.Tests.Unit.Protocol;

/// <summary>The frames' own CRC-32 must be bit for bit the IEEE CRC-32 that System.IO.Hashing computes: the wire is unchanged.</summary>
public sealed class FrameChecksumTests
{
    [Fact]
    public void Matches_the_ieee_crc32_check_value() =>
        Assert.Equal(0xCBF43926u, FrameChecksum.Compute("123456789"u8));

    [Fact]
    public void Matches_Crc32_for_every_length_up_to_several_folding_blocks()
    {
        var random = new Random(11);
        for (var length = 0; length <= 1100; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            Assert.True(Crc32.HashToUInt32(bytes) == FrameChecksum.Compute(bytes), $"length {length}");
        }
    }

    [Theory]
    [InlineData(FrameCodec.HeaderLength, FrameCodec.MaxPayloadLength)] // a data frame's header and payload, as the receiver checks them
    [InlineData(0, 1000)]
    [InlineData(1000, 0)]
    [InlineData(63, 65)]
    [InlineData(77, 4099)]
    public void Two_pieces_give_the_crc_of_the_whole(int first, int second)
    {
        var bytes = new byte[first + second];
        new Random(first * 31 + second).NextBytes(bytes);
        Assert.Equal(Crc32.HashToUInt32(bytes), FrameChecksum.Compute(bytes.AsSpan(0, first), bytes.AsSpan(first)));
    }

    [Fact]
    public void A_flipped_bit_changes_it()
    {
        var bytes = new byte[FrameCodec.MaxPayloadLength];
        new Random(5).NextBytes(bytes);
        var crc = FrameChecksum.Compute(bytes);
        bytes[40_000] ^= 0x10;
        Assert.NotEqual(crc, FrameChecksum.Compute(bytes));
    }
}
