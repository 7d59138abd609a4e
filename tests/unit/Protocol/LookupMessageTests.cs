using System.Text;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Protocol;

public sealed class LookupMessageTests
{
    private static readonly IdSpace Byte = new(8);
    private static readonly PeerContact Two = new(2, "127.0.0.1", 12002);
    private static readonly PeerContact Fourteen = new(14, "127.0.0.1", 12014);

    private static LookupRequest Lookup(ulong key) => new()
    {
        Sender = Fourteen, IdBits = 8, RequestId = "8de2c4f1a2b0e00-3", Key = key, Origin = Two, Hops = 1,
    };

    [Fact]
    public void Lookups_and_their_answers_round_trip_through_the_codec_as_documented()
    {
        var request = Lookup(200);
        Assert.Equal(request, MessageCodec.Decode(MessageCodec.Encode(request, 1)).Message);
        var answer = new RouteAnswer { Sender = Two, IdBits = 8, RequestId = "8de2c4f1a2b0e00-3", Outcome = RouteOutcome.Owner, Hops = 2 };
        Assert.Equal(answer, MessageCodec.Decode(MessageCodec.Encode(answer, 2)).Message);

        // docs/protocol.md 5.7 shows these texts.
        Assert.Equal("""{"type":"route-answer","requestId":"8de2c4f1a2b0e00-3","outcome":0,"hops":2,"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""",
            Encoding.UTF8.GetString(FrameCodec.Decode(MessageCodec.Encode(answer, 2)).Payload.Span));
        Assert.Equal("""{"type":"lookup","requestId":"8de2c4f1a2b0e00-3","key":200,"origin":{"id":2,"host":"127.0.0.1","port":12002},"hops":1,"toOwner":false,"sender":{"id":14,"host":"127.0.0.1","port":12014},"idBits":8}""",
            Encoding.UTF8.GetString(FrameCodec.Decode(MessageCodec.Encode(request, 1)).Payload.Span));
    }

    [Fact]
    public void A_key_outside_the_id_space_is_out_of_range_and_a_bad_request_id_or_hop_count_invalid()
    {
        Assert.Null(MessageValidator.Validate(Lookup(255), Byte));
        Assert.Equal(ErrorCode.IdOutOfRange, MessageValidator.Validate(Lookup(256), Byte)?.Code);
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(Lookup(7) with { RequestId = "" }, Byte)?.Code);
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(Lookup(7) with { RequestId = new string('x', 65) }, Byte)?.Code);
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(Lookup(7) with { Hops = -1 }, Byte)?.Code);
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(Lookup(7) with { Origin = new PeerContact(2, "nowhere", 1) }, Byte)?.Code);
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(
            new RouteAnswer { Sender = Two, IdBits = 8, RequestId = "", Outcome = RouteOutcome.Owner }, Byte)?.Code);
    }

    [Fact]
    public void The_peers_a_request_avoids_travel_with_it_and_a_list_too_long_or_outside_the_id_space_is_invalid()
    {
        var request = Lookup(200) with { Avoid = [9, 19] };

        var decoded = Assert.IsType<LookupRequest>(MessageCodec.Decode(MessageCodec.Encode(request, 1)).Message);
        Assert.Equal([9UL, 19UL], decoded.Avoid);
        Assert.Contains("\"avoid\":[9,19]", Encoding.UTF8.GetString(FrameCodec.Decode(MessageCodec.Encode(request, 1)).Payload.Span));
        Assert.DoesNotContain("avoid", Encoding.UTF8.GetString(FrameCodec.Decode(MessageCodec.Encode(Lookup(200), 1)).Payload.Span));
        Assert.Null(MessageValidator.Validate(request, Byte));
        Assert.Null(MessageValidator.Validate(request with { Avoid = [.. Enumerable.Range(1, RoutedRequest.MaxAvoided).Select(i => (ulong)i)] }, Byte));
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(request with { Avoid = [.. Enumerable.Range(1, RoutedRequest.MaxAvoided + 1).Select(i => (ulong)i)] }, Byte)?.Code);
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(request with { Avoid = [256] }, Byte)?.Code);
    }

    [Fact]
    public void An_owners_range_travels_in_its_answer_and_delivery_and_one_outside_the_id_space_is_out_of_range()
    {
        var answer = new RouteAnswer { Sender = Two, IdBits = 8, RequestId = "1", Outcome = RouteOutcome.StoreAccepted, OwnedFrom = 255 };
        var delivery = new FileDelivery { Sender = Two, IdBits = 8, RequestId = "1", OwnedFrom = 255 };

        Assert.Equal(answer, MessageCodec.Decode(MessageCodec.Encode(answer, 1)).Message);
        Assert.Contains("\"ownedFrom\":255", Encoding.UTF8.GetString(FrameCodec.Decode(MessageCodec.Encode(delivery, 1)).Payload.Span));
        Assert.Null(MessageValidator.Validate(answer, Byte));
        Assert.Equal(ErrorCode.IdOutOfRange, MessageValidator.Validate(answer with { OwnedFrom = 256 }, Byte)?.Code);
        Assert.Equal(ErrorCode.IdOutOfRange, MessageValidator.Validate(delivery with { OwnedFrom = 256 }, Byte)?.Code);
    }

    [Fact]
    public void An_answer_with_an_unknown_outcome_is_malformed()
    {
        var json = """{"type":"route-answer","requestId":"1","outcome":7,"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""";
        Assert.Equal(ErrorCode.Invalid, MessageCodecTests.Refusal(FrameCodec.Encode(FrameKind.Message, 1, Encoding.UTF8.GetBytes(json))));
    }
}
