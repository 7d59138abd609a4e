using System.Text;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Protocol;

public sealed class MessageCodecTests
{
    private static readonly PeerContact Two = new(2, "127.0.0.1", 12002);

    [Fact]
    public void A_ping_request_round_trips_with_its_sequence_number()
    {
        var ping = new PingRequest { Sender = Two, IdBits = 8, Rank = 2 };
        var (sequence, decoded) = MessageCodec.Decode(MessageCodec.Encode(ping, 41));
        Assert.Equal(41u, sequence);
        Assert.Equal(ping, decoded);
    }

    [Fact]
    public void A_stream_opening_frame_is_not_a_datagram()
    {
        var datagram = MessageCodec.EncodeOpening(new PingResponse { Sender = Two, IdBits = 8 }, 1);
        Assert.Equal(ProtocolError.UnknownFrameKind, Assert.Throws<ProtocolException>(() => MessageCodec.Decode(datagram)).Error);
    }

    [Fact]
    public void A_ping_response_round_trips()
    {
        var pong = new PingResponse { Sender = Two, IdBits = 16 };
        Assert.Equal(pong, MessageCodec.Decode(MessageCodec.Encode(pong, 7)).Message);
    }

    [Fact]
    public void The_type_discriminator_may_come_anywhere_and_the_derived_endpoint_is_not_sent()
    {
        var json = """{"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8,"rank":1,"type":"ping"}"""u8.ToArray();
        var (_, message) = MessageCodec.Decode(FrameCodec.Encode(FrameKind.Message, 1, json));
        Assert.Equal(new PingRequest { Sender = Two, IdBits = 8, Rank = 1 }, message);
        var sent = Encoding.UTF8.GetString(MessageCodec.Encode(message, 1));
        Assert.DoesNotContain("endPoint", sent);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"type":"teleport","sender":{"id":2,"host":"127.0.0.1","port":1},"idBits":8}""")]
    [InlineData("""{"type":"ping","idBits":8,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":-2,"host":"127.0.0.1","port":1},"idBits":8,"rank":1}""")]
    [InlineData("""[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]""")]
    [InlineData("""{"type":"ping","sender":null,"idBits":8,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":8},"idBits":8,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":8,"host":"localhost","port":1},"idBits":8,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":8,"host":"127.0.0.1","port":0},"idBits":8,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":300,"host":"127.0.0.1","port":1},"idBits":8,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":8,"host":"127.0.0.1","port":1},"idBits":65,"rank":1}""")]
    [InlineData("""{"type":"ping","sender":{"id":8,"host":"127.0.0.1","port":1},"idBits":8,"rank":33}""")]
    [InlineData("""{"type":"error","sender":{"id":8,"host":"127.0.0.1","port":1},"idBits":8,"code":99,"reason":"?"}""")]
    public void A_payload_that_is_not_a_message_is_malformed(string json)
    {
        var datagram = FrameCodec.Encode(FrameKind.Message, 1, Encoding.UTF8.GetBytes(json));
        Assert.Equal(ErrorCode.Invalid, Refusal(datagram));
    }

    /// <summary>What the one validation path makes of a datagram: the JSON layer refuses its shape, or the validator its contents.</summary>
    internal static ErrorCode? Refusal(byte[] datagram)
    {
        Message message;
        try
        {
            message = MessageCodec.Decode(datagram).Message;
        }
        catch (ProtocolException e)
        {
            Assert.Equal(ProtocolError.MalformedPayload, e.Error);
            return ErrorCode.Invalid;
        }
        return MessageValidator.Validate(message, new IdSpace(8))?.Code;
    }

    [Fact]
    public void Decoding_checks_only_the_shape_and_the_validator_the_rest()
    {
        var rankTooHigh = FrameCodec.Encode(FrameKind.Message, 1,
            """{"type":"ping","sender":{"id":8,"host":"127.0.0.1","port":1},"idBits":8,"rank":33}"""u8);
        var decoded = Assert.IsType<PingRequest>(MessageCodec.Decode(rankTooHigh).Message);
        Assert.Equal("ping rank 33 is not between 1 and 32", MessageValidator.Validate(decoded, new IdSpace(8))?.Reason);
        Assert.Equal(ErrorCode.IdBitsMismatch, MessageValidator.Validate(decoded with { Rank = 1 }, new IdSpace(16))?.Code);
    }
}
