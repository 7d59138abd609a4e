using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;
using DhtPs.Tests.Unit.Simulation;

namespace DhtPs.Tests.Unit.Transport;

/// <summary>The one ingest point: decode, validate, dispatch; everything refused is reported once, nothing else reaches the handler.</summary>
public sealed class IngestTests
{
    private static readonly IPEndPoint From = IPEndPoint.Parse("127.0.0.1:40000");
    private static readonly PeerContact Two = new(2, "127.0.0.1", 12002);
    private readonly RecordingHandler _handler = new(() => TimeSpan.Zero);
    private readonly Ingest _ingest;

    public IngestTests() => _ingest = new Ingest(WireCodec.Open, _handler);

    [Fact]
    public void A_valid_datagram_is_dispatched_with_its_sequence_number()
    {
        _ingest.Datagram(From, MessageCodec.Encode(new PingRequest { Sender = Two, IdBits = 8, Rank = 1 }, 9));
        Assert.Equal(9u, Assert.Single(_handler.Datagrams).Sequence);
        Assert.Empty(_handler.Malformed);
    }

    [Fact]
    public void Datagrams_are_validated_too_not_only_decoded()
    {
        _ingest.Datagram(From, MessageCodec.Encode(new PingRequest { Sender = Two, IdBits = 8, Rank = 33 }, 1));
        _ingest.Datagram(From, MessageCodec.Encode(new PingResponse { Sender = Two with { Host = "0.0.0.0" }, IdBits = 8 }, 2));
        Assert.Empty(_handler.Datagrams);
        Assert.Equal([RefusalKind.Malformed, RefusalKind.Malformed], _handler.Malformed.Select(r => r.Kind));
        Assert.Equal("PingRequest: ping rank 33 is not between 1 and 32", _handler.Malformed[0].Description);
    }

    [Fact]
    public void A_message_from_another_ring_width_is_refused_as_such_not_as_malformed()
    {
        _ingest.Datagram(From, MessageCodec.Encode(new PingRequest { Sender = Two, IdBits = 16, Rank = 1 }, 1));
        var refusal = Assert.Single(_handler.Malformed);
        Assert.Equal(RefusalKind.OtherRing, refusal.Kind);
        Assert.Equal(ErrorCode.IdBitsMismatch, refusal.Code);
    }

    [Fact]
    public void Bytes_that_do_not_decode_are_refused_without_a_message()
    {
        _ingest.Datagram(From, "not a frame at all"u8.ToArray());
        var refusal = Assert.Single(_handler.Malformed);
        Assert.Null(refusal.Message);
        Assert.Equal(InputPath.Datagram, refusal.Path);
    }

    [Fact]
    public async Task An_invalid_request_never_reaches_the_handler()
    {
        var join = new JoinRequest { Sender = Two, IdBits = 8, Joiner = new PeerContact(300, "127.0.0.1", 1) };
        Assert.Null(await _ingest.RequestAsync(From, join, default)); // The handler's refusal (none here) is the reply.
        Assert.Empty(_handler.Requests);
        Assert.Equal(ErrorCode.IdOutOfRange, Assert.Single(_handler.Malformed).Code);
    }

    [Fact]
    public void An_answer_is_checked_and_an_error_from_another_ring_passes_as_it_is()
    {
        var otherRing = new ErrorResponse { Sender = Two, IdBits = 16, Code = ErrorCode.IdBitsMismatch, Reason = "other ring" };
        Assert.Same(otherRing, _ingest.Answer(From, otherRing));
        var lie = new NeighborsResponse { Sender = Two, IdBits = 8, Successors = [new PeerContact(999, "127.0.0.1", 1)], Predecessors = [] };
        var error = Assert.Throws<TransportException>(() => _ingest.Answer(From, lie));
        Assert.Contains("sent an invalid answer", error.Message);
        Assert.Equal(InputPath.Answer, Assert.Single(_handler.Malformed).Path);
    }

    [Fact]
    public void Remote_text_loses_its_control_characters_before_it_is_shown()
    {
        Assert.Equal("red  [31m text next line", RemoteText.Clean("red \u001b[31m text\nnext line"));
        Assert.Equal("a b", RemoteText.Clean("a\u202Eb"));
        Assert.Equal(RemoteText.MaxLength + 1, RemoteText.Clean(new string('x', 5000)).Length);
    }

    [Fact]
    public async Task Reasons_that_pass_the_ingest_point_carry_no_control_characters()
    {
        var forged = new ErrorResponse { Sender = Two, IdBits = 8, Code = ErrorCode.Invalid, Reason = "done\r\nPeer 4 is no longer alive\u001b[2J" };
        var answer = Assert.IsType<ErrorResponse>(_ingest.Answer(From, forged));
        Assert.Equal("done  Peer 4 is no longer alive [2J", answer.Reason);
        var refused = new JoinRefused { Sender = Two, IdBits = 8, Code = ErrorCode.IdTaken, Reason = "taken\u0007" };
        _handler.Reply = request => request;
        await _ingest.RequestAsync(From, refused, default);
        Assert.Equal("taken ", Assert.IsType<JoinRefused>(Assert.Single(_handler.Requests)).Reason);
    }
}
