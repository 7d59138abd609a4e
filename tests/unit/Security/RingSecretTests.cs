using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Security;

/// <summary>
/// Issue 17, "only members may speak": real peers on loopback sockets, with the ring secret, another one, or none.
/// A peer that is not of the ring's secret is refused at join, ping, store and request with a
/// <see cref="DhtAuthenticationException"/>, is counted and reported at the refusing peer, and is never taken for dead.
/// </summary>
public sealed class RingSecretTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly RingSecret Ours = RingSecret.FromBytes("the ring's secret: 32 bytes long"u8);
    private static readonly RingSecret Theirs = RingSecret.FromBytes("another secret, also long enough"u8);

    /// <summary>
    /// These peers live on 127.0.0.2, apart from the open-ring tests on 127.0.0.1 that run in parallel: a port one of
    /// those frees and one of these takes would make a stopped open peer answer "another secret", which never counts as dead.
    /// </summary>
    private const string Host = "127.0.0.2";

    private readonly List<PeerNode> _peers = [];
    private readonly ConcurrentQueue<DhtEvent> _events = new();
    private readonly TempDirectory _temp = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
            await peer.StopAsync();
        _temp.Dispose();
    }

    private async Task<PeerNode> StartAsync(ulong id, RingSecret? secret, PeerLocator? firstSuccessor = null)
    {
        var environment = secret is null ? PeerEnvironment.Real : PeerEnvironment.Real with { Codec = new AuthenticatedWireCodec(secret) };
        var peer = await PeerNode.StartAsync(new PeerOptions
        {
            Id = id, Address = Host, Port = 0, PingInterval = Interval, FirstSuccessor = firstSuccessor,
            DataPath = Path.Combine(_temp.Path, $"peer-{id}"),
        }, environment);
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        _peers.Add(peer);
        return peer;
    }

    private static PeerLocator Locate(PeerNode peer) => new(peer.Id, peer.Contact.ToEndPoint());

    /// <summary>A bare transport speaking <paramref name="codec"/>, to send the ring's messages by hand.</summary>
    private static async Task<IPeerTransport> StrangerAsync(WireCodec codec) =>
        await SocketNetwork.Instance.BindAsync(new IPEndPoint(IPAddress.Parse(Host), 0), new Ingest(codec, new Quiet()), default);

    private static PeerContact ContactOf(IPeerTransport transport, ulong id) => new(id, Host, transport.LocalEndPoint.Port);

    [Fact]
    public async Task Peers_of_one_secret_join_ping_store_and_fetch_as_an_open_ring_does()
    {
        var four = await StartAsync(4, Ours);
        var nine = await StartAsync(9, Ours);
        await nine.JoinAsync(Locate(four), Timeout);
        await Eventually.Holds(() => four.Snapshot.Successors.SequenceEqual([9UL]) && nine.Snapshot.Predecessors.FirstOrDefault() == 4,
            "the secured ring of two pings both ways");
        var source = Path.Combine(_temp.Path, "2012.txt");
        await File.WriteAllBytesAsync(source, TestContent.Random(100_000, seed: 1));
        var stored = await four.StoreAsync(source, null, null, Timeout, default);
        var fetched = await four.FetchAsync(stored.Name, Path.Combine(_temp.Path, "back.txt"), null, Timeout, default);
        Assert.Equal(stored.Sha256, fetched.Sha256);
        Assert.True(four.Snapshot.Authenticated);
        Assert.Equal(0, four.Snapshot.AuthenticationFailures + nine.Snapshot.AuthenticationFailures);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_peer_with_another_secret_or_none_cannot_join(bool hasOtherSecret)
    {
        var four = await StartAsync(4, Ours);
        var stranger = await StartAsync(9, hasOtherSecret ? Theirs : null);
        var error = await Assert.ThrowsAsync<JoinException>(() => stranger.JoinAsync(Locate(four), Timeout));
        Assert.IsType<DhtAuthenticationException>(error.InnerException);
        Assert.Empty(four.Snapshot.Successors);
        await Eventually.Holds(() => four.Snapshot.AuthenticationFailures == 1, "the refused join was counted");
        Assert.Contains(_events, e => e.PeerId == 4 && e.Kind == DhtEventKind.AuthenticationFailed);
        Assert.Contains(_events, e => e.PeerId == 9 && e.Kind == DhtEventKind.AuthenticationFailed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Store_and_request_from_another_secret_or_none_are_refused_as_authentication_not_as_no_answer(bool hasOtherSecret)
    {
        var four = await StartAsync(4, Ours);
        await using var stranger = await StrangerAsync(hasOtherSecret ? new AuthenticatedWireCodec(Theirs) : WireCodec.Open);
        var self = ContactOf(stranger, 77);
        var space = new IdSpace(8);
        Message[] requests =
        [
            new StoreRequest { Sender = self, IdBits = 8, RequestId = "s-1", Name = "2012", Key = FileKey.Of("2012", space), Origin = self },
            new FetchRequest { Sender = self, IdBits = 8, RequestId = "r-1", Name = "2012", Key = FileKey.Of("2012", space), Origin = self },
            new JoinRequest { Sender = self, IdBits = 8, Joiner = self },
        ];
        foreach (var request in requests)
            await Assert.ThrowsAsync<DhtAuthenticationException>(() => stranger.RequestAsync(four.Contact.ToEndPoint(), request, Timeout, default));
        await Eventually.Holds(() => four.Snapshot.AuthenticationFailures == requests.Length, "every refused request was counted");
        Assert.DoesNotContain(_events, e => e.PeerId == 4 && e.Kind is DhtEventKind.StoreRequestAccepted or DhtEventKind.FileMissing or DhtEventKind.JoinRequestReceived);
    }

    /// <summary>Issue 17's one-message attacks, sent by a stranger to a ring with a secret: every one refused, nothing changed.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_one_message_attacks_of_issue_17_are_refused_from_outside_a_ring_with_a_secret(bool hasOtherSecret)
    {
        var four = await StartAsync(4, Ours);
        var nine = await StartAsync(9, Ours);
        await nine.JoinAsync(Locate(four), Timeout);
        await Eventually.Holds(() => four.Snapshot.Successors.SequenceEqual([9UL]) && four.Snapshot.Predecessors.FirstOrDefault() == 9,
            "the ring of two is formed");
        await using var stranger = await StrangerAsync(hasOtherSecret ? new AuthenticatedWireCodec(Theirs) : WireCodec.Open);
        var impostor = ContactOf(stranger, 8); // Just before 9: what a take-over thief would claim.
        Message[] attacks =
        [
            new TakeOverRequest { Sender = impostor, IdBits = 8, Predecessor = four.Contact },
            new SuccessorChange { Sender = impostor, IdBits = 8, Successors = [impostor with { Id = 9 }] },
            new DepartureNotice { Sender = impostor with { Id = 9 }, IdBits = 8, Successors = [impostor] },
            new StoreRequest { Sender = impostor, IdBits = 8, RequestId = "x", Name = "2055", Key = 7, Origin = impostor, ToOwner = true },
        ];
        foreach (var attack in attacks)
        {
            await Assert.ThrowsAsync<DhtAuthenticationException>(() => stranger.RequestAsync(nine.Contact.ToEndPoint(), attack, Timeout, default));
            await Assert.ThrowsAsync<DhtAuthenticationException>(() => stranger.RequestAsync(four.Contact.ToEndPoint(), attack, Timeout, default));
        }
        // A forged hand-off upload: refused before its opening is read.
        if (hasOtherSecret)
        {
            await Assert.ThrowsAsync<DhtAuthenticationException>(() => stranger.OpenStreamAsync(nine.Contact.ToEndPoint(),
                new FileUpload { Sender = impostor, IdBits = 8, Purpose = UploadPurpose.HandOff }, Timeout, default));
        }
        else
        {
            await using var upload = await stranger.OpenStreamAsync(nine.Contact.ToEndPoint(),
                new FileUpload { Sender = impostor, IdBits = 8, Purpose = UploadPurpose.HandOff }, Timeout, default);
            var refusal = MessageCodec.DecodePayload((await FrameCodec.ReadAsync(upload, default))!.Value);
            Assert.Equal(ErrorCode.AuthenticationFailed, Assert.IsType<ErrorResponse>(refusal).Code);
        }
        // Spoofed pongs and pings: dropped.
        stranger.SendDatagram(four.Contact.ToEndPoint(), 1, new PingResponse { Sender = nine.Contact, IdBits = 8 });
        stranger.SendDatagram(nine.Contact.ToEndPoint(), 1, new PingRequest { Sender = impostor, IdBits = 8, Rank = 1 });
        await Eventually.Holds(() => four.Snapshot.AuthenticationFailures >= 5 && nine.Snapshot.AuthenticationFailures >= 6,
            "every attack was counted where it landed");
        Assert.Equal([9UL], four.Snapshot.Successors);
        Assert.Equal([4UL], nine.Snapshot.Successors);
        Assert.DoesNotContain(8UL, nine.Snapshot.Predecessors);
        Assert.DoesNotContain(_events, e => e.Kind is DhtEventKind.SuccessorChangeReceived or DhtEventKind.DepartureNoticeReceived
            or DhtEventKind.StoreRequestAccepted or DhtEventKind.FileRefused);
    }

    [Fact]
    public async Task An_open_peer_refuses_a_secured_one_too_and_says_so()
    {
        var open = await StartAsync(4, null);
        await using var secured = await StrangerAsync(new AuthenticatedWireCodec(Ours));
        var self = ContactOf(secured, 77);
        var error = await Assert.ThrowsAsync<DhtAuthenticationException>(() =>
            secured.RequestAsync(open.Contact.ToEndPoint(), new NeighborsRequest { Sender = self, IdBits = 8 }, Timeout, default));
        Assert.Contains("no ring secret", error.Message);
        await Eventually.Holds(() => open.Snapshot.AuthenticationFailures == 1, "the open peer counted the authenticated input it cannot read");
    }

    [Fact]
    public async Task Pings_of_another_secret_are_dropped_and_counted_and_the_pinger_does_not_declare_the_peer_dead()
    {
        var four = await StartAsync(4, Ours);
        var nine = await StartAsync(9, Theirs, firstSuccessor: Locate(four));
        await Eventually.Holds(() => four.Snapshot.AuthenticationFailures >= 3, "peer 4 counted peer 9's pings");
        Assert.Empty(four.Snapshot.Predecessors); // Nothing of an unauthenticated ping is believed.
        // Peer 9's pings go unanswered, it confirms over TCP, learns it was refused, and says so instead of declaring 4 dead.
        await Eventually.Holds(() => _events.Any(e => e.PeerId == 9 && e.Kind == DhtEventKind.AuthenticationFailed), "peer 9 learned it was refused");
        await Task.Delay(Interval * 8);
        Assert.DoesNotContain(_events, e => e.PeerId == 9 && e.Kind == DhtEventKind.SuccessorDead);
        Assert.Equal([4UL], nine.Snapshot.Successors);
    }

    [Fact]
    public async Task A_replayed_datagram_is_refused()
    {
        var four = await StartAsync(4, Ours);
        var codec = new AuthenticatedWireCodec(Ours);
        using var prober = new UdpClient(new IPEndPoint(IPAddress.Parse(Host), 0));
        var self = new PeerContact(77, Host, ((IPEndPoint)prober.Client.LocalEndPoint!).Port);
        var datagram = codec.EncodeDatagram(new PingRequest { Sender = self, IdBits = 8, Rank = 1 }, 1);
        await prober.SendAsync(datagram, four.Contact.ToEndPoint());
        using var answered = new CancellationTokenSource(Timeout);
        var pong = codec.DecodeDatagram((await prober.ReceiveAsync(answered.Token)).Buffer);
        Assert.IsType<PingResponse>(pong.Message);
        await prober.SendAsync(datagram, four.Contact.ToEndPoint()); // The very same bytes again.
        await Eventually.Holds(() => four.Snapshot.AuthenticationFailures == 1, "the replay was counted");
        Assert.Single(_events, e => e.PeerId == 4 && e.Kind == DhtEventKind.PingRequestReceived);
        Assert.Contains(_events, e => e.PeerId == 4 && e.Kind == DhtEventKind.AuthenticationFailed && e.Message.Contains("replayed"));
    }

    [Fact]
    public async Task A_recorded_connection_replayed_on_a_new_one_is_refused()
    {
        var four = await StartAsync(4, Ours);
        var recorder = new TcpListener(IPAddress.Parse(Host), 0);
        recorder.Start();
        var recorded = RecordFirstBytesAsync(recorder);
        // A member asks the recorder (standing where a peer would); the recorder replies as peer 4 would, with 4's answer.
        var codec = new AuthenticatedWireCodec(Ours);
        await using (var member = await StrangerAsync(codec))
        {
            var request = new JoinRequest { Sender = ContactOf(member, 77), IdBits = 8, Joiner = ContactOf(member, 77) };
            await Assert.ThrowsAnyAsync<TransportException>(() => member.RequestAsync((IPEndPoint)recorder.LocalEndpoint, request, TimeSpan.FromSeconds(1), default));
        }
        recorder.Stop();
        // The recorded bytes: a client hello and the first record, sealed under the recorder's server nonce. Replayed to
        // peer 4, whose server nonce differs, the record fails authentication.
        var bytes = await recorded;
        using var replay = new TcpClient();
        await replay.ConnectAsync(four.Contact.ToEndPoint());
        await replay.GetStream().WriteAsync(bytes);
        await Eventually.Holds(() => four.Snapshot.AuthenticationFailures == 1, "the replayed connection was refused");
        Assert.DoesNotContain(_events, e => e.PeerId == 4 && e.Kind == DhtEventKind.JoinRequestReceived);
    }

    /// <summary>Plays a server's part of the handshake (it holds the secret) and records what the client sends after.</summary>
    private static async Task<byte[]> RecordFirstBytesAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var recording = new RecordingStream(stream);
        var server = await new AuthenticatedWireCodec(Ours).AcceptAsync(recording, default);
        await FrameCodec.ReadAsync(server, default); // The client's request, authenticated for this connection.
        return recording.Recorded.ToArray();
    }

    /// <summary>Keeps every byte read through it.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        public MemoryStream Recorded { get; } = new();
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Recorded.Write(buffer.Span[..read]);
            return read;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
