using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>A real peer on real loopback sockets, probed with hand-made datagrams.</summary>
public sealed class PingingTests : IAsyncLifetime
{
    private readonly UdpClient _prober = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly ConcurrentQueue<DhtEvent> _events = new();
    private PeerNode _peer = null!;

    public async Task InitializeAsync()
    {
        _peer = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = 9, Port = 0, PingInterval = TimeSpan.FromMinutes(10) });
        _peer.EventRaised += (_, e) => _events.Enqueue(e);
    }

    public async Task DisposeAsync()
    {
        await _peer.StopAsync();
        _prober.Dispose();
    }

    private PeerContact Prober(ulong id) => new(id, "127.0.0.1", ((IPEndPoint)_prober.Client.LocalEndPoint!).Port);

    private async Task<(uint Sequence, Message Message)> PingAsync(PingRequest ping, uint sequence)
    {
        await _prober.SendAsync(MessageCodec.Encode(ping, sequence), _peer.Contact.ToEndPoint());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var reply = await _prober.ReceiveAsync(timeout.Token);
        return MessageCodec.Decode(reply.Buffer);
    }

    [Fact]
    public async Task Answers_a_ping_with_the_same_sequence_and_learns_the_predecessor_by_rank()
    {
        var (sequence, reply) = await PingAsync(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = 1 }, 77);
        Assert.Equal(77u, sequence);
        Assert.Equal(9UL, Assert.IsType<PingResponse>(reply).Sender.Id);
        await PingAsync(new PingRequest { Sender = Prober(5), IdBits = 8, Rank = 2 }, 78);
        await Eventually.Holds(() => _peer.Snapshot.Predecessors.SequenceEqual([8UL, 5UL]), "peer 9 knows predecessors 8 then 5");
        Assert.Contains(_events, e => e.Kind == DhtEventKind.PingRequestReceived && e.Message == "Ping request message received from Peer 8");
    }

    [Fact]
    public async Task A_ping_that_changes_nothing_keeps_the_published_snapshot_and_a_new_predecessor_publishes_a_new_one()
    {
        await PingAsync(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = 1 }, 1);
        await Eventually.Holds(() => _peer.Snapshot.Predecessors.SequenceEqual([8UL]), "peer 9 knows predecessor 8");
        var settled = _peer.Snapshot;

        await PingAsync(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = 1 }, 2);
        await PingAsync(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = 1 }, 3); // one logical thread: ping 2's work is done
        Assert.Same(settled, _peer.Snapshot);

        await PingAsync(new PingRequest { Sender = Prober(5), IdBits = 8, Rank = 2 }, 4);
        await Eventually.Holds(() => _peer.Snapshot.Predecessors.SequenceEqual([8UL, 5UL]), "peer 9 published predecessors 8 then 5");
    }

    [Fact]
    public async Task Answers_a_ping_at_a_rank_beyond_its_own_successor_count_without_taking_it_as_a_predecessor()
    {
        // A peer that keeps a longer successor list (-SuccessorCount 3) pings at rank 3: the wire takes any count.
        var (sequence, reply) = await PingAsync(new PingRequest { Sender = Prober(5), IdBits = 8, Rank = 3 }, 79);
        Assert.Equal(79u, sequence);
        Assert.IsType<PingResponse>(reply);
        Assert.Equal(0, _peer.Snapshot.MalformedInputs);
        Assert.Empty(_peer.Snapshot.Predecessors);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x44 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    public async Task Drops_and_counts_a_malformed_datagram_and_keeps_answering(byte[] garbage)
    {
        await _prober.SendAsync(garbage, _peer.Contact.ToEndPoint());
        await Eventually.Holds(() => _peer.Snapshot.MalformedInputs == 1, "the malformed datagram was counted");
        Assert.Contains(_events, e => e.Kind == DhtEventKind.MalformedInput);
        var (_, reply) = await PingAsync(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = 1 }, 1);
        Assert.IsType<PingResponse>(reply);
    }

    [Fact]
    public async Task Counts_a_corrupted_frame_and_a_ping_with_an_impossible_rank()
    {
        var corrupted = MessageCodec.Encode(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = 1 }, 1);
        corrupted[^1] ^= 0xFF;
        await _prober.SendAsync(corrupted, _peer.Contact.ToEndPoint());
        await _prober.SendAsync(MessageCodec.Encode(new PingRequest { Sender = Prober(8), IdBits = 8, Rank = SuccessorList.MaxLength + 1 }, 2), _peer.Contact.ToEndPoint());
        await Eventually.Holds(() => _peer.Snapshot.MalformedInputs == 2, "both bad pings were counted");
        Assert.Empty(_peer.Snapshot.Predecessors);
    }

    [Fact]
    public async Task Ignores_a_ping_from_a_ring_with_another_id_width()
    {
        await _prober.SendAsync(MessageCodec.Encode(new PingRequest { Sender = Prober(8), IdBits = 16, Rank = 1 }, 1), _peer.Contact.ToEndPoint());
        await Eventually.Holds(() => _events.Any(e => e.Kind == DhtEventKind.RingMismatch), "the mismatch was reported");
        Assert.Empty(_peer.Snapshot.Predecessors);
    }

    [Fact]
    public async Task Answers_pings_over_IPv6_loopback()
    {
        await using var peer = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = 6, Address = "::1", Port = 0, PingInterval = TimeSpan.FromMinutes(10) });
        using var prober = new UdpClient(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var self = new PeerContact(5, "::1", ((IPEndPoint)prober.Client.LocalEndPoint!).Port);
        await prober.SendAsync(MessageCodec.Encode(new PingRequest { Sender = self, IdBits = 8, Rank = 1 }, 3), peer.Contact.ToEndPoint());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var reply = MessageCodec.Decode((await prober.ReceiveAsync(timeout.Token)).Buffer);
        Assert.IsType<PingResponse>(reply.Message);
        Assert.Equal($"[::1]:{peer.Contact.Port}", peer.Snapshot.EndPoint.ToString());
    }

    [Fact]
    public async Task Two_peers_ping_each_other_and_learn_each_other()
    {
        await using var a = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = 1, Port = 0, PingInterval = TimeSpan.FromMilliseconds(100) });
        var b = await PeerNode.StartAsync(new PeerOptions
        {
            ReplicationFactor = 1,
            Id = 200, Port = 0, PingInterval = TimeSpan.FromMilliseconds(100),
            FirstSuccessor = new PeerLocator(1, a.Contact.ToEndPoint()),
        });
        await using (b)
        {
            await Eventually.Holds(() => a.Snapshot.Predecessors.SequenceEqual([200UL]), "peer 1 learned its predecessor 200");
        }
        await Eventually.Holds(() => a.Snapshot.Predecessors.Count == 0, "peer 1 forgot the silent predecessor", timeoutSeconds: 5);
    }
}
