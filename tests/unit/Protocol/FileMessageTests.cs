using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Protocol;

public sealed class FileMessageTests
{
    private static readonly IdSpace Space = new(8);
    private static readonly PeerContact Peer2 = new(2, "127.0.0.1", 12002);

    private static FileRequest Request(string name, ulong key) => new()
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
}
