using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>Join, departure and failure repair between real peers on loopback sockets, with a fast ping interval.</summary>
public sealed class RingMembershipTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(5);

    private readonly List<PeerNode> _peers = [];
    private readonly ConcurrentQueue<DhtEvent> _events = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
            await peer.StopAsync();
    }

    private async Task<PeerNode> StartAsync(ulong id, int idBits = 8)
    {
        var peer = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = id, IdBits = idBits, Port = 0, PingInterval = Interval });
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        _peers.Add(peer);
        return peer;
    }

    private async Task<PeerNode> JoinAsync(ulong id, PeerNode via)
    {
        var peer = await StartAsync(id);
        await peer.JoinAsync(Locate(via), JoinTimeout);
        return peer;
    }

    private static PeerLocator Locate(PeerNode peer) => new(peer.Id, peer.Contact.ToEndPoint());

    private IEnumerable<string> EventsOf(PeerNode peer, DhtEventKind kind) =>
        _events.Where(e => e.PeerId == peer.Id && e.Kind == kind).Select(e => e.Message);

    private static async Task SuccessorsAre(PeerNode peer, params ulong[] expected)
    {
        try
        {
            await Eventually.Holds(() => peer.Snapshot.Successors.SequenceEqual(expected), $"peer {peer.Id} has successors [{string.Join(", ", expected)}]");
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} It has [{string.Join(", ", peer.Snapshot.Successors)}].");
        }
    }

    private static Task KnowsPredecessor(PeerNode peer, ulong predecessor) =>
        Eventually.Holds(() => peer.Snapshot.Predecessors.FirstOrDefault() == predecessor, $"peer {peer.Id} knows its first predecessor {predecessor}");

    [Fact]
    public async Task A_lone_peer_is_a_ring_of_one_that_grows_to_two_three_and_four()
    {
        var seven = await StartAsync(7);
        var fifteen = await JoinAsync(15, via: seven);
        await SuccessorsAre(seven, 15);
        await SuccessorsAre(fifteen, 7);
        Assert.Contains("Join request has been accepted", EventsOf(fifteen, DhtEventKind.JoinAccepted));
        Assert.Equal(["My first successor is Peer 7"], EventsOf(fifteen, DhtEventKind.SuccessorChanged));

        await KnowsPredecessor(fifteen, 7);
        var twenty = await JoinAsync(20, via: seven); // forwarded by 7, accepted by 15
        await SuccessorsAre(fifteen, 20, 7);
        await SuccessorsAre(seven, 15, 20);
        await SuccessorsAre(twenty, 7, 15);

        await KnowsPredecessor(seven, 20);
        var ten = await JoinAsync(10, via: twenty); // forwarded by 20, accepted by 7 (across the wrap)
        await SuccessorsAre(seven, 10, 15);
        await SuccessorsAre(twenty, 7, 10);
        await SuccessorsAre(ten, 15, 20);

        var walk = await ten.WalkRingAsync();
        Assert.True(walk.Closed, walk.Problem);
        Assert.Equal([10UL, 15UL, 20UL, 7UL], walk.Members.Select(m => m.Id));
    }

    [Fact]
    public async Task A_taken_id_is_refused_and_the_peer_stays_a_ring_of_one()
    {
        var seven = await StartAsync(7);
        await JoinAsync(15, via: seven);
        var impostor = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = 15, Port = 0, PingInterval = Interval });
        _peers.Add(impostor);

        var error = await Assert.ThrowsAsync<JoinException>(() => impostor.JoinAsync(Locate(seven), JoinTimeout));
        Assert.Equal(JoinFailure.IdTaken, error.Failure);
        Assert.Equal(PeerStatus.Running, impostor.Snapshot.State);
        Assert.Empty(impostor.Snapshot.Successors);
    }

    [Fact]
    public async Task An_unreachable_known_peer_fails_the_join_at_once()
    {
        var lone = await StartAsync(3);
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var nobody = (IPEndPoint)closed.LocalEndpoint;
        closed.Stop();

        var error = await Assert.ThrowsAsync<JoinException>(() => lone.JoinAsync(new PeerLocator(null, nobody), JoinTimeout));
        Assert.Equal(JoinFailure.Unreachable, error.Failure);
    }

    [Fact]
    public async Task A_ring_of_another_id_width_refuses_the_join()
    {
        var ring = await StartAsync(7);
        var wide = await StartAsync(300, idBits: 16);
        var error = await Assert.ThrowsAsync<JoinException>(() => wide.JoinAsync(Locate(ring), JoinTimeout));
        Assert.Equal(JoinFailure.IdBitsMismatch, error.Failure);
    }

    [Fact]
    public async Task A_join_that_is_acknowledged_but_never_accepted_times_out_and_can_be_retried()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var answering = AcknowledgeOneRequestAsync(silent);
        var lone = await StartAsync(3);

        var error = await Assert.ThrowsAsync<JoinException>(() =>
            lone.JoinAsync(new PeerLocator(null, (IPEndPoint)silent.LocalEndpoint), TimeSpan.FromMilliseconds(300)));
        Assert.Equal(JoinFailure.TimedOut, error.Failure);
        await answering;
        Assert.Equal(PeerStatus.Running, lone.Snapshot.State);

        var ring = await StartAsync(7);
        await lone.JoinAsync(Locate(ring), JoinTimeout);
        await SuccessorsAre(lone, 7);
    }

    /// <summary>A peer impostor that acknowledges one request and then says nothing more.</summary>
    private static async Task AcknowledgeOneRequestAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var frame = await FrameCodec.ReadAsync(stream, default);
        var ack = new Acknowledgement { Sender = new PeerContact(9, "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port), IdBits = 8 };
        await stream.WriteAsync(MessageCodec.Encode(ack, frame!.Value.Sequence));
    }

    [Fact]
    public async Task A_join_request_for_an_id_outside_the_space_is_refused_and_counted()
    {
        var seven = await StartAsync(7);
        using var client = new TcpClient();
        await client.ConnectAsync(seven.Contact.ToEndPoint());
        var stream = client.GetStream();
        var forged = new JoinRequest { Sender = new PeerContact(1, "127.0.0.1", 1), IdBits = 8, Joiner = new PeerContact(4000, "127.0.0.1", 1) };
        await stream.WriteAsync(MessageCodec.Encode(forged, 1));
        var reply = MessageCodec.DecodePayload((await FrameCodec.ReadAsync(stream, default))!.Value);

        Assert.Equal(ErrorCode.IdOutOfRange, Assert.IsType<ErrorResponse>(reply).Code);
        await Eventually.Holds(() => seven.Snapshot.MalformedInputs == 1, "the forged request was counted");
        Assert.Empty(seven.Snapshot.Successors);
    }

    [Fact]
    public async Task A_departing_peer_hands_its_successors_to_both_predecessors()
    {
        var (ten, twenty, thirty, forty) = await FourRingAsync();
        await KnowsPredecessor(thirty, 20);
        await Eventually.Holds(() => thirty.Snapshot.Predecessors.SequenceEqual([20UL, 10UL]), "peer 30 knows both predecessors");

        await thirty.DepartAsync();

        Assert.Equal(["Peer 30 will depart from the network"], EventsOf(twenty, DhtEventKind.DepartureNoticeReceived));
        Assert.Equal(["Peer 30 will depart from the network"], EventsOf(ten, DhtEventKind.DepartureNoticeReceived));
        Assert.Equal([40UL, 10UL], twenty.Snapshot.Successors);
        Assert.Equal([20UL, 40UL], ten.Snapshot.Successors);
        await Eventually.Holds(() => forty.Snapshot.Predecessors.SequenceEqual([20UL, 10UL]), "peer 40 is pinged by 20 and 10");
    }

    private async Task<(PeerNode, PeerNode, PeerNode, PeerNode)> FourRingAsync()
    {
        var ten = await StartAsync(10);
        var twenty = await JoinAsync(20, via: ten);
        await KnowsPredecessor(twenty, 10);
        var thirty = await JoinAsync(30, via: ten);
        await KnowsPredecessor(thirty, 20);
        var forty = await JoinAsync(40, via: ten);
        await SuccessorsAre(ten, 20, 30);
        await SuccessorsAre(twenty, 30, 40);
        await SuccessorsAre(thirty, 40, 10);
        await SuccessorsAre(forty, 10, 20);
        return (ten, twenty, thirty, forty);
    }

    [Fact]
    public async Task A_killed_peer_is_detected_by_both_predecessors_which_repair_their_lists()
    {
        var (ten, twenty, thirty, _) = await FourRingAsync();
        await Eventually.Holds(() => thirty.Snapshot.Predecessors.SequenceEqual([20UL, 10UL]), "peer 30 knows both predecessors");

        await thirty.StopAsync();

        await SuccessorsAre(twenty, 40, 10);
        await SuccessorsAre(ten, 20, 40);
        Assert.Equal(["Peer 30 is no longer alive"], EventsOf(twenty, DhtEventKind.SuccessorDead));
        Assert.Equal(["Peer 30 is no longer alive"], EventsOf(ten, DhtEventKind.SuccessorDead));
    }

    [Fact]
    public async Task Two_adjacent_peers_killed_at_once_leave_a_ring_that_closes_by_walking_backwards()
    {
        var (ten, twenty, thirty, forty) = await FourRingAsync();
        var fifty = await JoinAsync(50, via: ten);
        await SuccessorsAre(forty, 50, 10);
        await Eventually.Holds(() => fifty.Snapshot.Predecessors.SequenceEqual([40UL, 30UL]), "peer 50 knows both predecessors");
        await Eventually.Holds(() => ten.Snapshot.Predecessors.SequenceEqual([50UL, 40UL]), "peer 10 knows both predecessors");

        await Task.WhenAll(thirty.StopAsync(), forty.StopAsync());

        await SuccessorsAre(twenty, 50, 10);
        await SuccessorsAre(ten, 20, 50);
        await SuccessorsAre(fifty, 10, 20);
        var walk = await ten.WalkRingAsync();
        Assert.True(walk.Closed, walk.Problem);
        Assert.Equal([10UL, 20UL, 50UL], walk.Members.Select(m => m.Id));
    }

    [Fact]
    public async Task The_survivor_of_a_ring_of_two_becomes_a_ring_of_one_that_can_be_joined_again()
    {
        var seven = await StartAsync(7);
        var fifteen = await JoinAsync(15, via: seven);
        await KnowsPredecessor(seven, 15);

        await fifteen.StopAsync();
        await Eventually.Holds(() => seven.Snapshot.Successors.Count == 0, "peer 7 is alone again");

        var twenty = await JoinAsync(20, via: seven);
        await SuccessorsAre(seven, 20);
        await SuccessorsAre(twenty, 7);
    }
}
