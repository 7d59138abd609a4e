using System.Collections.Concurrent;
using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Security;

/// <summary>
/// Issue 17's checks that hold even inside an open ring, on real loopback sockets: a successor change and a departure
/// notice are news only, checked with the peer they name at the contact the receiver already knows for it. A stranger's
/// one-message attacks (a successor change that slips itself in, a forged departure of a live peer) change nothing.
/// </summary>
public sealed class InRingCheckTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly List<PeerNode> _peers = [];
    private readonly ConcurrentQueue<DhtEvent> _events = new();
    private readonly TempDirectory _temp = new();
    private PeerNode _four = null!;
    private PeerNode _nine = null!;
    private IPeerTransport _stranger = null!;

    public async Task InitializeAsync()
    {
        _four = await StartAsync(4);
        _nine = await StartAsync(9);
        var fourteen = await StartAsync(14);
        await _nine.JoinAsync(new PeerLocator(4, _four.Contact.ToEndPoint()), Timeout);
        await fourteen.JoinAsync(new PeerLocator(4, _four.Contact.ToEndPoint()), Timeout);
        await Eventually.Holds(() => _four.Snapshot.Successors.SequenceEqual([9UL, 14UL]), "the ring 4, 9, 14 is formed");
        _stranger = await SocketNetwork.Instance.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), new Ingest(WireCodec.Open, new Quiet()), default);
    }

    public async Task DisposeAsync()
    {
        await _stranger.DisposeAsync();
        foreach (var peer in _peers)
            await peer.StopAsync();
        _temp.Dispose();
    }

    private async Task<PeerNode> StartAsync(ulong id)
    {
        var peer = await PeerNode.StartAsync(new PeerOptions { Id = id, Port = 0, PingInterval = Interval, DataPath = Path.Combine(_temp.Path, $"peer-{id}") });
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        _peers.Add(peer);
        return peer;
    }

    private PeerContact Impostor(ulong id) => new(id, "127.0.0.1", _stranger.LocalEndPoint.Port);

    private IEnumerable<DhtEvent> EventsOf(PeerNode peer, DhtEventKind kind, DateTimeOffset since) =>
        _events.Where(e => e.PeerId == peer.Id && e.Kind == kind && e.Time >= since);

    [Theory]
    [InlineData(true)]  // the change names peer 9 at the stranger's address
    [InlineData(false)] // the change names peer 9 where it is, and slips the stranger in after it
    public async Task A_successor_change_slipping_a_stranger_in_is_checked_with_the_first_successor_and_changes_nothing(bool atStrangersAddress)
    {
        var since = DateTimeOffset.UtcNow;
        var acceptor = atStrangersAddress ? Impostor(9) : _nine.Contact;

        Assert.IsType<Acknowledgement>(await _stranger.RequestAsync(_four.Contact.ToEndPoint(),
            new SuccessorChange { Sender = Impostor(10), IdBits = 8, Successors = [acceptor, Impostor(10)] }, Timeout, default));

        // The list peer 4 takes is the one peer 9 gave it: announced, as every successor change is.
        await Eventually.Holds(() => EventsOf(_four, DhtEventKind.SuccessorChanged, since).Count() >= 2, "peer 4 took peer 9's word");
        Assert.Equal(["My new first successor is Peer 9", "My new second successor is Peer 14"],
            EventsOf(_four, DhtEventKind.SuccessorChanged, since).Select(e => e.Message).Take(2));
        Assert.Equal([_nine.Contact.ToEndPoint(), _peers[2].Contact.ToEndPoint()], _four.Snapshot.SuccessorContacts.Select(c => c.ToEndPoint()));
        Assert.Equal(atStrangersAddress ? 1 : 0, EventsOf(_four, DhtEventKind.SuccessorChangeRefuted, since).Count());
    }

    [Fact]
    public async Task A_forged_departure_of_a_live_peer_is_refuted_by_that_peer_and_changes_nothing()
    {
        var since = DateTimeOffset.UtcNow;

        var refusal = await _stranger.RequestAsync(_four.Contact.ToEndPoint(),
            new DepartureNotice { Sender = Impostor(9), IdBits = 8, Successors = [Impostor(10)] }, Timeout, default);

        var refuted = $"Ignored a departure notice for Peer 9: it answers at {_nine.Contact.EndPoint} and is not leaving";
        Assert.Equal((ErrorCode.Invalid, refuted), (Assert.IsType<ErrorResponse>(refusal).Code, Assert.IsType<ErrorResponse>(refusal).Reason));
        Assert.Equal([refuted], EventsOf(_four, DhtEventKind.DepartureNoticeRefuted, since).Select(e => e.Message));
        Assert.Equal([9UL, 14UL], _four.Snapshot.Successors);
        Assert.Empty(EventsOf(_four, DhtEventKind.DepartureNoticeReceived, since));
    }

    [Fact]
    public async Task A_forged_take_over_naming_an_id_just_before_a_peer_is_refused_and_its_files_stay()
    {
        var source = Path.Combine(_temp.Path, "0006");
        await File.WriteAllBytesAsync(source, TestContent.Random(10_000, seed: 6));
        var stored = await _four.StoreAsync(source, null, null, Timeout, default);
        Assert.Equal(9UL, stored.StoredAt);

        // Peer 7 would own key 6 if peer 4 had accepted it: a thief's one message.
        var refusal = await _stranger.RequestAsync(_nine.Contact.ToEndPoint(),
            new TakeOverRequest { Sender = Impostor(7), IdBits = 8, Predecessor = _four.Contact }, Timeout, default);

        Assert.Equal(ErrorCode.Invalid, Assert.IsType<ErrorResponse>(refusal).Code);
        Assert.Contains("Peer 4 does not name Peer 7", ((ErrorResponse)refusal).Reason);
        Assert.True(File.Exists(Path.Combine(_temp.Path, "peer-9", "0006")));
        var fetched = await _four.FetchAsync("0006", Path.Combine(_temp.Path, "back-0006"), null, Timeout, default);
        Assert.Equal(stored.Sha256, fetched.Sha256);
    }

    [Fact]
    public async Task Spoofed_pongs_from_another_endpoint_do_not_hide_a_dead_successor()
    {
        await _nine.StopAsync(); // abruptly, as a crash
        using var stop = new CancellationTokenSource();
        var spoofing = Task.Run(async () =>
        {
            // Every sequence number peer 4 may have used, in peer 9's name, from the stranger's socket.
            for (uint sequence = 1; !stop.IsCancellationRequested; sequence = sequence % 2000 + 1)
            {
                _stranger.SendDatagram(_four.Contact.ToEndPoint(), sequence, new PingResponse { Sender = _nine.Contact, IdBits = 8 });
                if (sequence % 100 == 0)
                    await Task.Delay(10);
            }
        });

        await Eventually.Holds(() => _four.Snapshot.Successors.FirstOrDefault() == 14UL, "peer 4 declared peer 9 dead however many pongs came in its name");
        await stop.CancelAsync();
        await spoofing;
        Assert.Contains(EventsOf(_four, DhtEventKind.SuccessorDead, DateTimeOffset.MinValue), e => e.Message == "Peer 9 is no longer alive");
    }

    [Fact]
    public async Task A_real_departure_is_confirmed_by_the_departing_peer_and_taken()
    {
        var since = DateTimeOffset.UtcNow;

        await _nine.DepartAsync();

        Assert.Equal(14UL, _four.Snapshot.Successors.FirstOrDefault()); // the notice was acted on before it was answered
        Assert.Equal(["Peer 9 will depart from the network"], EventsOf(_four, DhtEventKind.DepartureNoticeReceived, since).Select(e => e.Message));
        Assert.Empty(EventsOf(_four, DhtEventKind.DepartureNoticeRefuted, since));
    }
}
