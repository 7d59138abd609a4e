using System.Buffers.Binary;
using DhtPs.Core.Protocol;

namespace DhtPs.Tests.Unit.Protocol;

public sealed class FrameCodecTests
{
    private static readonly byte[] Payload = "hello ring"u8.ToArray();

    [Fact]
    public void Round_trips_kind_sequence_and_payload()
    {
        var frame = FrameCodec.Decode(FrameCodec.Encode(FrameKind.Message, 0xDEADBEEF, Payload));
        Assert.Equal(FrameKind.Message, frame.Kind);
        Assert.Equal(0xDEADBEEFu, frame.Sequence);
        Assert.Equal(Payload, frame.Payload.ToArray());
    }

    [Fact]
    public async Task Reads_consecutive_frames_from_a_stream_and_stops_cleanly_at_the_end()
    {
        var stream = new MemoryStream([.. FrameCodec.Encode(FrameKind.Message, 1, Payload), .. FrameCodec.Encode(FrameKind.Message, 2, [])]);
        Assert.Equal(1u, (await FrameCodec.ReadAsync(stream, default))!.Value.Sequence);
        Assert.Equal(2u, (await FrameCodec.ReadAsync(stream, default))!.Value.Sequence);
        Assert.Null(await FrameCodec.ReadAsync(stream, default));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(FrameCodec.HeaderLength)]
    [InlineData(FrameCodec.HeaderLength + 3)]
    public void A_truncated_datagram_is_refused(int keep)
    {
        var frame = FrameCodec.Encode(FrameKind.Message, 1, Payload);
        var error = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(frame.AsMemory(0, keep)));
        Assert.Equal(ProtocolError.Truncated, error.Error);
    }

    [Fact]
    public async Task A_stream_that_ends_inside_a_frame_is_refused()
    {
        var frame = FrameCodec.Encode(FrameKind.Message, 1, Payload);
        var error = await Assert.ThrowsAsync<ProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(frame[..^2]), default));
        Assert.Equal(ProtocolError.Truncated, error.Error);
    }

    [Fact]
    public void A_flipped_payload_bit_fails_the_checksum()
    {
        var frame = FrameCodec.Encode(FrameKind.Message, 1, Payload);
        frame[FrameCodec.HeaderLength + 2] ^= 0x10;
        Assert.Equal(ProtocolError.ChecksumMismatch, Assert.Throws<ProtocolException>(() => FrameCodec.Decode(frame)).Error);
    }

    [Fact]
    public void An_oversized_length_is_refused_before_anything_is_allocated()
    {
        var header = FrameCodec.Encode(FrameKind.Message, 1, [])[..FrameCodec.HeaderLength];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), int.MaxValue);
        Assert.Equal(ProtocolError.Oversized, Assert.Throws<ProtocolException>(() => FrameCodec.ReadHeader(header, out _, out _)).Error);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), -1);
        Assert.Equal(ProtocolError.Oversized, Assert.Throws<ProtocolException>(() => FrameCodec.ReadHeader(header, out _, out _)).Error);
    }

    [Fact]
    public void Encoding_an_oversized_payload_is_refused() =>
        Assert.Equal(ProtocolError.Oversized,
            Assert.Throws<ProtocolException>(() => FrameCodec.Encode(FrameKind.Message, 1, new byte[FrameCodec.MaxPayloadLength + 1])).Error);

    [Theory]
    [InlineData(0, 0x00, ProtocolError.BadMagic)]
    [InlineData(2, 0x09, ProtocolError.UnsupportedVersion)]
    [InlineData(3, 0x7F, ProtocolError.UnknownFrameKind)]
    public void A_foreign_header_is_refused(int offset, byte value, ProtocolError expected)
    {
        var frame = FrameCodec.Encode(FrameKind.Message, 1, Payload);
        frame[offset] = value;
        Assert.Equal(expected, Assert.Throws<ProtocolException>(() => FrameCodec.Decode(frame)).Error);
    }
}
