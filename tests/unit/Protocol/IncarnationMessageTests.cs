using System.Text;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Protocol;

/// <summary>
/// Incarnations and piggybacked deaths on the wire (issue 13): pings, pongs and neighbour answers carry them, old
/// encodings stay byte for byte what they were, and what makes no sense is refused before anything acts on it.
/// </summary>
public sealed class IncarnationMessageTests
{
    private static readonly IdSpace Byte = new(8);
    private static readonly PeerContact Two = new(2, "127.0.0.1", 12002);
    private static readonly PeerContact Four = new(4, "127.0.0.1", 12004);
    private static readonly PeerContact Five = new(5, "127.0.0.1", 12005);
    private static readonly PeerContact Nine = new(9, "127.0.0.1", 12009);

    private static T RoundTrip<T>(T message) where T : Message =>
        Assert.IsType<T>(MessageCodec.Decode(MessageCodec.Encode(message, 7)).Message);

    private static string Json(Message message) =>
        Encoding.UTF8.GetString(FrameCodec.Decode(MessageCodec.Encode(message, 7)).Payload.Span);

    private static Message FromJson(string json) =>
        MessageCodec.Decode(FrameCodec.Encode(FrameKind.Message, 1, Encoding.UTF8.GetBytes(json))).Message;

    [Fact]
    public void A_ping_req_its_ack_and_an_indirect_ping_round_trip_and_encode_as_documented()
    {
        Assert.Equal(Four, RoundTrip(new IndirectPingRequest { Sender = Two, IdBits = 8, Target = Four }).Target);
        Assert.True(RoundTrip(new IndirectPingAck { Sender = Five, IdBits = 8, Target = Four, Nack = true }).Nack);
        Assert.Equal((true, 0), RoundTrip(new PingRequest { Sender = Five, IdBits = 8, Rank = 0, Indirect = true }) is var p ? (p.Indirect, p.Rank) : default);
        Assert.Equal("""{"type":"ping-req","target":{"id":4,"host":"127.0.0.1","port":12004},"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""",
            Json(new IndirectPingRequest { Sender = Two, IdBits = 8, Target = Four }));
        Assert.Equal("""{"type":"ping-req-ack","target":{"id":4,"host":"127.0.0.1","port":12004},"sender":{"id":5,"host":"127.0.0.1","port":12005},"idBits":8}""",
            Json(new IndirectPingAck { Sender = Five, IdBits = 8, Target = Four }));
        Assert.Null(MessageValidator.Validate(FromJson("""{"type":"ping","rank":0,"indirect":true,"sender":{"id":5,"host":"127.0.0.1","port":12005},"idBits":8}"""), Byte));
    }

    [Fact]
    public void A_ping_and_its_answer_carry_the_senders_incarnation_and_the_deaths_it_holds()
    {
        var ping = RoundTrip(new PingRequest { Sender = Two, IdBits = 8, Rank = 1, Incarnation = 1_764_590_000_123, Deaths = [new(14, 3), new(80, 0)] });
        Assert.Equal(1_764_590_000_123UL, ping.Incarnation);
        Assert.Equal([new PeerIncarnation(14, 3), new PeerIncarnation(80, 0)], ping.Deaths);

        var pong = RoundTrip(new PingResponse { Sender = Four, IdBits = 8, Incarnation = ulong.MaxValue, Deaths = [new(9, 12)] });
        Assert.Equal(ulong.MaxValue, pong.Incarnation);
        Assert.Equal([new PeerIncarnation(9, 12)], pong.Deaths);
    }

    [Fact]
    public void A_neighbour_answer_carries_the_incarnations_of_the_peers_it_lists()
    {
        var neighbors = RoundTrip(new NeighborsResponse
        {
            Sender = Nine, IdBits = 8, Successors = [Two, Four], Predecessors = [Five],
            Incarnation = 6, Deaths = [new(14, 2)], Incarnations = [new(2, 11), new(5, 1)],
        });
        Assert.Equal(6UL, neighbors.Incarnation);
        Assert.Equal([new PeerIncarnation(14, 2)], neighbors.Deaths);
        Assert.Equal([new PeerIncarnation(2, 11), new PeerIncarnation(5, 1)], neighbors.Incarnations);
        Assert.Null(MessageValidator.Validate(neighbors, Byte));
    }

    [Fact]
    public void Without_incarnations_the_messages_are_encoded_exactly_as_before_and_old_peers_messages_decode_to_none()
    {
        // The JSON of docs/protocol.md sections 3.2, 3.3 and 5.6, from before incarnations: unchanged, so old and new peers mix.
        Assert.Equal("""{"type":"ping","rank":1,"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}""",
            Json(new PingRequest { Sender = Two, IdBits = 8, Rank = 1 }));
        Assert.Equal("""{"type":"pong","sender":{"id":4,"host":"127.0.0.1","port":12004},"idBits":8}""",
            Json(new PingResponse { Sender = Four, IdBits = 8 }));
        Assert.Equal("""{"type":"neighbors-reply","successors":[{"id":2,"host":"127.0.0.1","port":12002}],"predecessors":[],"sender":{"id":9,"host":"127.0.0.1","port":12009},"idBits":8}""",
            Json(new NeighborsResponse { Sender = Nine, IdBits = 8, Successors = [Two], Predecessors = [] }));

        var old = Assert.IsType<PingRequest>(FromJson("""{"type":"ping","rank":2,"sender":{"id":2,"host":"127.0.0.1","port":12002},"idBits":8}"""));
        Assert.Equal((0UL, (IReadOnlyList<PeerIncarnation>?)null), (old.Incarnation, old.Deaths));
        Assert.Null(MessageValidator.Validate(old, Byte));
    }

    [Fact]
    public void The_new_properties_are_named_as_documented()
    {
        Assert.Equal("""{"type":"pong","incarnation":3,"deaths":[{"id":14,"incarnation":2}],"sender":{"id":4,"host":"127.0.0.1","port":12004},"idBits":8}""",
            Json(new PingResponse { Sender = Four, IdBits = 8, Incarnation = 3, Deaths = [new(14, 2)] }));
        var decoded = Assert.IsType<NeighborsResponse>(FromJson(
            """{"type":"neighbors-reply","successors":[{"id":2,"host":"127.0.0.1","port":12002}],"predecessors":[],"incarnations":[{"id":2,"incarnation":5}],"incarnation":1,"sender":{"id":9,"host":"127.0.0.1","port":12009},"idBits":8}"""));
        Assert.Equal([new PeerIncarnation(2, 5)], decoded.Incarnations);
    }

    [Fact]
    public void The_example_of_protocol_md_section_5_8_decodes_validates_and_encodes_back_unchanged()
    {
        const string example = """{"type":"neighbors-reply","successors":[{"id":2,"host":"127.0.0.1","port":12002},{"id":4,"host":"127.0.0.1","port":12004}],"predecessors":[{"id":15,"host":"127.0.0.1","port":12015}],"incarnation":6,"deaths":[{"id":14,"incarnation":2}],"incarnations":[{"id":2,"incarnation":11},{"id":15,"incarnation":1}],"sender":{"id":19,"host":"127.0.0.1","port":12019},"idBits":8}""";
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "protocol.md"));
        Assert.Contains(example, doc);

        var decoded = Assert.IsType<NeighborsResponse>(FromJson(example));

        Assert.Null(MessageValidator.Validate(decoded, Byte));
        Assert.Equal(example, Json(decoded));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DhtPs.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("No DhtPs.sln above the test binaries.");
    }

    public static TheoryData<Message, string> Refused() => new()
    {
        { new PingRequest { Sender = Two, IdBits = 8, Rank = 1, Deaths = [new(300, 1)] }, "death id 300 is outside the 8-bit ring" },
        { new PingRequest { Sender = Two, IdBits = 8, Rank = 1, IntervalMs = -1 }, "ping interval -1 ms is not between 0 and 86400000" },
        { new PingRequest { Sender = Two, IdBits = 8, Rank = 1, Indirect = true }, "an indirect ping has rank 1, not 0" },
        { new PingRequest { Sender = Two, IdBits = 8, Rank = 0 }, "ping rank 0 is not between 1 and 32" },
        { new IndirectPingRequest { Sender = Two, IdBits = 8, Target = Two }, "the sender asks to be pinged itself" },
        { new IndirectPingRequest { Sender = Two, IdBits = 8, Target = new PeerContact(300, "127.0.0.1", 12300) }, "target id 300 is outside the 8-bit ring" },
        { new IndirectPingAck { Sender = Two, IdBits = 8, Target = new PeerContact(301, "127.0.0.1", 12301) }, "target id 301 is outside the 8-bit ring" },
        { new PingRequest { Sender = Two, IdBits = 8, Rank = 1, IntervalMs = PingRequest.MaxIntervalMilliseconds + 1 }, "ping interval 86400001 ms is not between 0 and 86400000" },
        { new PingResponse { Sender = Four, IdBits = 8, Deaths = [new(4, 1)] }, "the sender declares itself dead" },
        { new PingResponse { Sender = Four, IdBits = 8, Deaths = [new(9, 1), new(9, 2)] }, "peer 9 has more than one death entry" },
        { new PingResponse { Sender = Four, IdBits = 8, Deaths = [null!] }, "a death entry is missing" },
        { new PingRequest { Sender = Two, IdBits = 8, Rank = 1, Deaths = [.. Enumerable.Range(10, MessageValidator.MaxDeaths + 1).Select(i => new PeerIncarnation((ulong)i, 1))] },
            $"{MessageValidator.MaxDeaths + 1} deaths listed; at most {MessageValidator.MaxDeaths} are allowed" },
        { new NeighborsResponse { Sender = Nine, IdBits = 8, Successors = [Two], Predecessors = [], Deaths = [new(9, 1)] }, "the sender declares itself dead" },
        { new NeighborsResponse { Sender = Nine, IdBits = 8, Successors = [Two, Four], Predecessors = [], Incarnations = [new(5, 1)] },
            "an incarnation is given for peer 5, which it does not list" },
        { new NeighborsResponse { Sender = Nine, IdBits = 8, Successors = [Two, Four], Predecessors = [], Incarnations = [new(2, 1), new(2, 2)] },
            "peer 2 has more than one incarnation entry" },
        { new NeighborsResponse { Sender = Nine, IdBits = 8, Successors = [Two], Predecessors = [], Incarnations = [new(2, 1), new(4, 1)] },
            "2 incarnations for 1 listed peers" },
        { new NeighborsResponse { Sender = Nine, IdBits = 8, Successors = [Two], Predecessors = [], Incarnations = [new(9, 1)] },
            "an incarnation is given for peer 9, which it does not list" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Deaths_and_incarnations_that_make_no_sense_are_refused_as_invalid(Message message, string reason)
    {
        var problem = MessageValidator.Validate(message, Byte);
        Assert.Equal(new MessageProblem(ErrorCode.Invalid, reason), problem);
    }

    [Fact]
    public void A_death_named_by_the_wire_survives_the_round_trip_and_is_then_refused_by_the_validator()
    {
        // Decoding checks only the shape: the ingest point's validation is what drops a self-declared death.
        var decoded = FromJson("""{"type":"pong","deaths":[{"id":4,"incarnation":1}],"sender":{"id":4,"host":"127.0.0.1","port":12004},"idBits":8}""");
        Assert.Equal(ErrorCode.Invalid, MessageValidator.Validate(decoded, Byte)?.Code);
    }
}
