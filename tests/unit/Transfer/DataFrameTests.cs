using System.Buffers.Binary;
using DhtPs.Core.Protocol;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Transfer;

/// <summary>The frame codec as file transfers use it: data chunks sealed in place and read into one reused buffer.</summary>
public sealed class DataFrameTests
{
    private static byte[] Chunk(uint sequence, byte[] payload)
    {
        var frame = new byte[FrameCodec.FrameLength(payload.Length)];
        payload.CopyTo(frame, FrameCodec.HeaderLength);
        Assert.Equal(frame.Length, FrameCodec.Seal(frame, FrameKind.Data, sequence, payload.Length));
        return frame;
    }

    private static byte[] Payload(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_sealed_full_size_chunk_round_trips_and_matches_Encode()
    {
        var payload = Payload(FileSender.ChunkLength);
        var frame = Chunk(7, payload);
        Assert.Equal(FrameCodec.Encode(FrameKind.Data, 7, payload), frame);
        var decoded = FrameCodec.Decode(frame);
        Assert.Equal((FrameKind.Data, 7u), (decoded.Kind, decoded.Sequence));
        Assert.Equal(payload, decoded.Payload.ToArray());
    }

    [Fact]
    public async Task Consecutive_chunks_are_read_into_one_reused_buffer()
    {
        var first = Payload(FileSender.ChunkLength);
        var second = Payload(100);
        var stream = new MemoryStream([.. Chunk(1, first), .. Chunk(2, second), .. Chunk(3, [])]);
        var buffer = new byte[FrameCodec.MaxFrameLength];

        var one = (await FrameCodec.ReadAsync(stream, buffer, default))!.Value;
        Assert.Equal(1u, one.Sequence);
        Assert.Equal(first, one.Payload.ToArray());
        var two = (await FrameCodec.ReadAsync(stream, buffer, default))!.Value;
        Assert.Equal(2u, two.Sequence);
        Assert.Equal(second, two.Payload.ToArray());
        Assert.True(two.Payload.Span.Overlaps(buffer));
        var end = (await FrameCodec.ReadAsync(stream, buffer, default))!.Value;
        Assert.True(end.Payload.IsEmpty);
        Assert.Null(await FrameCodec.ReadAsync(stream, buffer, default));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(FrameCodec.HeaderLength)]
    [InlineData(FrameCodec.HeaderLength + 1000)]
    [InlineData(-1)]
    public async Task A_chunk_cut_short_is_truncated(int keep)
    {
        var frame = Chunk(1, Payload(2000));
        var cut = keep < 0 ? frame[..^1] : frame[..keep];
        var error = await Assert.ThrowsAsync<ProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(cut), new byte[FrameCodec.MaxFrameLength], default));
        Assert.Equal(ProtocolError.Truncated, error.Error);
    }

    [Fact]
    public async Task A_chunk_announcing_more_than_the_limit_is_refused_before_reading_it()
    {
        var frame = Chunk(1, Payload(10));
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), FrameCodec.MaxPayloadLength + 1);
        var error = await Assert.ThrowsAsync<ProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(frame), new byte[FrameCodec.MaxFrameLength], default));
        Assert.Equal(ProtocolError.Oversized, error.Error);
        Assert.Equal(ProtocolError.Oversized,
            Assert.Throws<ProtocolException>(() => FrameCodec.Seal(new byte[FrameCodec.MaxFrameLength + 1], FrameKind.Data, 1, FrameCodec.MaxPayloadLength + 1)).Error);
    }

    [Theory]
    [InlineData(4)]                                // sequence number
    [InlineData(FrameCodec.HeaderLength)]          // first payload byte
    [InlineData(FrameCodec.HeaderLength + 1999)]   // last payload byte
    public async Task A_flipped_bit_anywhere_in_a_chunk_fails_its_checksum(int offset)
    {
        var frame = Chunk(1, Payload(2000));
        frame[offset] ^= 0x01;
        var error = await Assert.ThrowsAsync<ProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(frame), new byte[FrameCodec.MaxFrameLength], default));
        Assert.Equal(ProtocolError.ChecksumMismatch, error.Error);
    }

    [Fact]
    public async Task A_buffer_smaller_than_the_largest_frame_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => FrameCodec.ReadAsync(new MemoryStream(Chunk(1, [1])), new byte[100], default));
}
