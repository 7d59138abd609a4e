using System.Text;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Protocol;

/// <summary>The join, departure and neighbour messages on the wire, and what a peer refuses in them.</summary>
public sealed class RingMessageCodecTests
{
    private static readonly IdSpace Byte = new(8);
    private static readonly PeerContact Fourteen = new(14, "127.0.0.1", 12014);
    private static readonly PeerContact Fifteen = new(15, "127.0.0.1", 40015);
    private static readonly PeerContact Nineteen = new(19, "127.0.0.1", 12019);
    private static readonly PeerContact Two = new(2, "127.0.0.1", 12002);

    private static T RoundTrip<T>(T message) where T : Message =>
        Assert.IsType<T>(MessageCodec.Decode(MessageCodec.Encode(message, 3)).Message);

    [Fact]
    public void A_join_request_keeps_its_joiner_when_forwarded()
    {
        var forwarded = new JoinRequest { Sender = Fifteen, IdBits = 8, Joiner = Fifteen } with { Sender = Fourteen };
        var decoded = RoundTrip(forwarded);
        Assert.Equal(Fourteen, decoded.Sender);
        Assert.Equal(Fifteen, decoded.Joiner);
    }

    [Fact]
    public void A_join_acceptance_carries_successors_and_predecessors_in_order()
    {
        var decoded = RoundTrip(new JoinAccepted { Sender = Fourteen, IdBits = 8, Successors = [Nineteen, Two], Predecessors = [new PeerContact(9, "127.0.0.1", 12009)] });
        Assert.Equal([Nineteen, Two], decoded.Successors);
        Assert.Equal(9UL, Assert.Single(decoded.Predecessors).Id);
    }

    [Fact]
    public void A_join_refusal_keeps_its_code_and_reason()
    {
        var decoded = RoundTrip(new JoinRefused { Sender = Fourteen, IdBits = 8, Code = ErrorCode.IdTaken, Reason = "Peer id 14 is already taken in the ring." });
        Assert.Equal(ErrorCode.IdTaken, decoded.Code);
        Assert.Equal("Peer id 14 is already taken in the ring.", decoded.Reason);
    }

    [Fact]
    public void Successor_change_departure_and_neighbour_messages_round_trip()
    {
        Assert.Equal([Fourteen, Fifteen], RoundTrip(new SuccessorChange { Sender = Fourteen, IdBits = 8, Successors = [Fourteen, Fifteen] }).Successors);
        Assert.Equal([Fourteen, Nineteen], RoundTrip(new DepartureNotice { Sender = new PeerContact(9, "127.0.0.1", 1), IdBits = 8, Successors = [Fourteen, Nineteen] }).Successors);
        Assert.Equal(Fourteen, RoundTrip(new NeighborsRequest { Sender = Fourteen, IdBits = 8 }).Sender);
        var neighbors = RoundTrip(new NeighborsResponse { Sender = Fourteen, IdBits = 8, Successors = [Fifteen, Nineteen], Predecessors = [] });
        Assert.Equal([Fifteen, Nineteen], neighbors.Successors);
        Assert.Empty(neighbors.Predecessors);
        Assert.IsType<Acknowledgement>(MessageCodec.Decode(MessageCodec.Encode(new Acknowledgement { Sender = Two, IdBits = 8 }, 1)).Message);
    }

    [Fact]
    public void A_join_request_without_a_joiner_is_malformed()
    {
        var json = """{"type":"join","sender":{"id":15,"host":"127.0.0.1","port":1},"idBits":8}""";
        var error = Assert.Throws<ProtocolException>(() => MessageCodec.Decode(FrameCodec.Encode(FrameKind.Message, 1, Encoding.UTF8.GetBytes(json))));
        Assert.Equal(ProtocolError.MalformedPayload, error.Error);
    }

    [Fact]
    public void Valid_messages_pass_the_validator()
    {
        Assert.Null(MessageValidator.Validate(new JoinRequest { Sender = Fifteen, IdBits = 8, Joiner = Fifteen }, Byte));
        Assert.Null(MessageValidator.Validate(new NeighborsResponse { Sender = Two, IdBits = 8, Successors = [Fourteen], Predecessors = [] }, Byte));
    }

    [Fact]
    public void A_joiner_outside_the_id_space_is_refused_as_out_of_range()
    {
        var problem = MessageValidator.Validate(new JoinRequest { Sender = Fifteen, IdBits = 8, Joiner = new PeerContact(300, "127.0.0.1", 1) }, Byte);
        Assert.Equal(ErrorCode.IdOutOfRange, problem?.Code);
    }

    public static TheoryData<Message> UnusableMessages => new()
    {
        new NeighborsRequest { Sender = new PeerContact(256, "127.0.0.1", 1), IdBits = 8 },
        new NeighborsRequest { Sender = new PeerContact(2, "not-an-address", 1), IdBits = 8 },
        new NeighborsRequest { Sender = new PeerContact(2, "127.0.0.1", 0), IdBits = 8 },
        new SuccessorChange { Sender = Two, IdBits = 8, Successors = [new PeerContact(999, "127.0.0.1", 1)] },
        new SuccessorChange { Sender = Two, IdBits = 8, Successors = null! },
        new JoinRequest { Sender = Fifteen, IdBits = 8, Joiner = null! },
        new DepartureNotice { Sender = Two, IdBits = 8, Successors = Enumerable.Repeat(Fourteen, MessageValidator.MaxListedPeers + 1).ToArray() },
        new JoinAccepted { Sender = Two, IdBits = 8, Successors = [Fourteen], Predecessors = [new PeerContact(1, "127.0.0.1", 70000)] },
    };

    [Theory]
    [MemberData(nameof(UnusableMessages))]
    public void Ids_outside_the_space_bad_endpoints_and_overlong_lists_are_invalid(Message message) =>
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(message, Byte)?.Code);
}
