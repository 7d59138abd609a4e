using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Protocol;

public sealed class FileMessageTests
{
    private static readonly IdSpace Space = new(8);
    private static readonly PeerContact Peer2 = new(2, "127.0.0.1", 12002);

    private static FetchRequest Request(string name, ulong key) => new()
    {
        Sender = Peer2, IdBits = 8, RequestId = "abc", Name = name, Key = key, Origin = Peer2, Hops = 1, ToOwner = true,
    };

    [Fact]
    public void Routed_requests_and_stream_openings_round_trip_through_the_codec()
    {
        var request = Request("4103", 7);
        Assert.Equal(request with { }, MessageCodec.Decode(MessageCodec.Encode(request, 5)).Message);

        var opening = FrameCodec.Decode(MessageCodec.EncodeOpening(new FileDelivery { Sender = Peer2, IdBits = 8, RequestId = "abc", Hops = 3 }, 1));
        Assert.Equal(FrameKind.StreamOpening, opening.Kind);
        Assert.Equal(3, Assert.IsType<FileDelivery>(MessageCodec.DecodePayload(opening)).Hops);
    }

    [Fact]
    public void A_request_whose_key_is_not_its_names_or_whose_name_is_unsafe_is_refused()
    {
        Assert.Null(MessageValidator.Validate(Request("4103", 7), Space));
        Assert.Contains("is not the key", MessageValidator.Validate(Request("4103", 8), Space)!.Value.Reason);
        Assert.Contains("refused", MessageValidator.Validate(Request("../4103", 7), Space)!.Value.Reason);
        Assert.NotNull(MessageValidator.Validate(Request("4103", 7) with { Origin = new PeerContact(300, "127.0.0.1", 1) }, Space));
    }

    [Fact]
    public void Uploads_say_their_purpose_and_take_overs_round_trip()
    {
        var upload = new FileUpload { Sender = Peer2, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = "abc" };
        Assert.Equal(upload, MessageCodec.DecodePayload(FrameCodec.Decode(MessageCodec.EncodeOpening(upload, 1))));
        var takeOver = new TakeOverRequest { Sender = Peer2, IdBits = 8, Predecessor = new PeerContact(1, "127.0.0.1", 12001) };
        Assert.Equal(takeOver, MessageCodec.Decode(MessageCodec.Encode(takeOver, 2)).Message);
        var offer = new TakeOverOffer { Sender = Peer2, IdBits = 8, Files = 3 };
        Assert.Equal(offer, MessageCodec.Decode(MessageCodec.Encode(offer, 3)).Message);
    }

    [Theory]
    [InlineData("""{"type":"file-upload","purpose":7,"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""")]
    [InlineData("""{"type":"take-over-offer","files":-1,"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""")]
    [InlineData("""{"type":"take-over","sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""")]
    public void An_unknown_purpose_a_negative_offer_or_a_take_over_without_predecessor_is_malformed(string json)
    {
        Assert.Equal(ErrorCode.Invalid, MessageCodecTests.Refusal(FrameCodec.Encode(FrameKind.Message, 1, System.Text.Encoding.UTF8.GetBytes(json))));
    }

    [Fact]
    public void A_take_over_naming_a_predecessor_outside_the_space_is_refused()
    {
        var takeOver = new TakeOverRequest { Sender = Peer2, IdBits = 8, Predecessor = new PeerContact(300, "127.0.0.1", 1) };
        Assert.NotNull(MessageValidator.Validate(takeOver, Space));
    }
}
