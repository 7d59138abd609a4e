using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FailureDetection;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;
using DhtPs.Core.Transport.Faults;

namespace DhtPs.Tests.Unit.Transport;

/// <summary>The loss injector on real loopback sockets: what it drops and delays, reproducibly from its seed, and what a peer then sees.</summary>
public sealed class FaultInjectionTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    /// <summary>A timer may fire up to a tick of the system clock early by the stopwatch; a wait is "at least" within this.</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);
    private static readonly PeerContact Sender = new(8, "127.0.0.1", 12008);

    private static PingRequest Ping() => new() { Sender = Sender, IdBits = 8, Rank = 1 };

    /// <summary>Sends datagrams 1..<paramref name="count"/> in bursts, each burst once the receiver has what it can expect of the last.</summary>
    private static async Task SendPacedAsync(IPeerTransport from, IPEndPoint to, int count, Func<uint, bool> expected, CountingHandler receiver)
    {
        const int Burst = 50;
        for (uint first = 1; first <= count; first += Burst)
        {
            var last = (uint)Math.Min(count, first + Burst - 1);
            for (var sequence = first; sequence <= last; sequence++)
                from.SendDatagram(to, sequence, Ping());
            var due = Enumerable.Range(1, (int)last).Count(s => expected((uint)s));
            await Eventually.Holds(() => receiver.Count >= due, $"{due} datagrams of the first {last} arrived");
        }
    }

    /// <summary>Which of datagrams 1..count a seed drops at a rate: the documented stream (FaultDice), replayed.</summary>
    private static HashSet<uint> DroppedBy(int seed, double rate, int count)
    {
        var dice = new Random(seed);
        return Enumerable.Range(1, count).Where(_ => dice.NextDouble() < rate).Select(s => (uint)s).ToHashSet();
    }

    [Fact]
    public async Task A_seeded_loss_rate_drops_exactly_the_datagrams_its_seed_picks()
    {
        const int Count = 400;
        var faults = new FaultInjection { DatagramLossRate = 0.3, Seed = 7 };
        var dropped = DroppedBy(7, 0.3, Count);
        var receiver = new CountingHandler();
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, faults);
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await network.BindAsync(AnyLoopback, new CountingHandler(), default);

        await SendPacedAsync(client, server.LocalEndPoint, Count, s => !dropped.Contains(s), receiver);

        Assert.InRange(dropped.Count, 90, 150); // the seed's own draw, near 30 % of 400
        Assert.Equal(dropped.Count, network.Statistics.DatagramsSentDropped);
        Assert.Equal(Enumerable.Range(1, Count).Select(s => (uint)s).Where(s => !dropped.Contains(s)), receiver.Sequences.Order());

        // The same seed on a new transport drops the same datagrams again.
        var again = new CountingHandler();
        await using var second = await new FaultInjectingNetwork(SocketNetwork.Instance, faults).BindAsync(AnyLoopback, new CountingHandler(), default);
        await using var secondServer = await SocketNetwork.Instance.BindAsync(AnyLoopback, again, default);
        await SendPacedAsync(second, secondServer.LocalEndPoint, Count, s => !dropped.Contains(s), again);
        Assert.Equal(receiver.Sequences.Order(), again.Sequences.Order());
    }

    [Fact]
    public async Task No_rate_drops_or_delays_nothing_and_the_peer_is_left_unwrapped()
    {
        const int Count = 200;
        var faults = new FaultInjection { Seed = 1, DatagramDelay = TimeSpan.FromSeconds(1), ConnectDelay = TimeSpan.FromSeconds(1) };
        Assert.False(faults.IsActive);
        Assert.Same(SocketNetwork.Instance, FaultInjectingNetwork.Wrap(SocketNetwork.Instance, faults, TimeProvider.System));
        Assert.Same(SocketNetwork.Instance, FaultInjectingNetwork.Wrap(SocketNetwork.Instance, null, TimeProvider.System));

        var receiver = new CountingHandler();
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, faults);
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await network.BindAsync(AnyLoopback, new CountingHandler(), default);
        await SendPacedAsync(client, server.LocalEndPoint, Count, _ => true, receiver);
        var answer = await client.RequestAsync(server.LocalEndPoint, Ping(), TimeSpan.FromSeconds(10), default);

        Assert.Equal(Count, receiver.Count);
        Assert.IsType<PingRequest>(answer);
        Assert.Equal(new FaultStatistics(0, 0, 0, 0, 0, 0), network.Statistics);
    }

    [Fact]
    public async Task Loss_on_the_receiving_side_drops_what_arrives_before_the_handler_sees_it()
    {
        const int Count = 100;
        var receiver = new CountingHandler();
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, new FaultInjection { DatagramLossRate = 1, DatagramDirection = FaultDirection.Receive });
        await using var server = await network.BindAsync(AnyLoopback, receiver, default);
        await using var client = await SocketNetwork.Instance.BindAsync(AnyLoopback, new CountingHandler(), default);

        for (uint sequence = 1; sequence <= Count; sequence++)
            client.SendDatagram(server.LocalEndPoint, sequence, Ping());
        await Eventually.Holds(() => network.Statistics.DatagramsReceivedDropped == Count, $"all {Count} datagrams arrived and were dropped");

        Assert.Equal(0, receiver.Count);
        Assert.Equal(0, network.Statistics.DatagramsSentDropped);
    }

    [Fact]
    public async Task A_delayed_datagram_arrives_no_sooner_than_its_delay()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var receiver = new CountingHandler();
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, new FaultInjection { DatagramDelayRate = 1, DatagramDelay = delay });
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await network.BindAsync(AnyLoopback, new CountingHandler(), default);

        var watch = Stopwatch.StartNew();
        client.SendDatagram(server.LocalEndPoint, 1, Ping());
        await Eventually.Holds(() => receiver.Count == 1, "the delayed datagram arrived");

        Assert.True(watch.Elapsed >= delay - TimerSlack, $"arrived after {watch.Elapsed.TotalMilliseconds:0} ms, before its {delay.TotalMilliseconds} ms delay");
        Assert.Equal(1, network.Statistics.DatagramsSentDelayed);
    }

    [Fact]
    public async Task A_dropped_connect_waits_out_the_timeout_and_fails_as_an_unreachable_peer_does()
    {
        var receiver = new CountingHandler();
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, new FaultInjection { ConnectLossRate = 1 });
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await network.BindAsync(AnyLoopback, new CountingHandler(), default);
        var timeout = TimeSpan.FromMilliseconds(300);

        var watch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<TransportException>(() => client.RequestAsync(server.LocalEndPoint, Ping(), timeout, default));
        await Assert.ThrowsAsync<TransportException>(() => client.OpenStreamAsync(server.LocalEndPoint, Ping(), timeout, default));

        Assert.True(watch.Elapsed >= timeout * 2 - TimerSlack, $"gave up after {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Contains("did not answer within 0.3 s", failure.Message);
        Assert.Equal(server.LocalEndPoint, failure.Remote);
        Assert.Empty(receiver.Requests);
        Assert.Equal(2, network.Statistics.ConnectsDropped);
    }

    [Fact]
    public async Task A_delayed_connect_spends_its_delay_from_the_timeout()
    {
        var receiver = new CountingHandler();
        var delay = TimeSpan.FromMilliseconds(200);
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, new FaultInjection { ConnectDelayRate = 1, ConnectDelay = delay });
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await network.BindAsync(AnyLoopback, new CountingHandler(), default);

        var watch = Stopwatch.StartNew();
        Assert.IsType<PingRequest>(await client.RequestAsync(server.LocalEndPoint, Ping(), TimeSpan.FromSeconds(10), default));
        Assert.True(watch.Elapsed >= delay - TimerSlack, $"answered after {watch.Elapsed.TotalMilliseconds:0} ms");

        await Assert.ThrowsAsync<TransportException>(() => client.RequestAsync(server.LocalEndPoint, Ping(), delay / 2, default));
        Assert.Single(receiver.Requests);
        Assert.Equal(2, network.Statistics.ConnectsDelayed);
    }

    [Fact]
    public async Task Disposing_the_transport_ends_a_dropped_connect_at_once()
    {
        var network = new FaultInjectingNetwork(SocketNetwork.Instance, new FaultInjection { ConnectLossRate = 1 });
        var client = await network.BindAsync(AnyLoopback, new CountingHandler(), default);
        var request = client.RequestAsync(new IPEndPoint(IPAddress.Loopback, 9), Ping(), TimeSpan.FromMinutes(5), default);

        await client.DisposeAsync();

        await Assert.ThrowsAsync<TransportException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(nameof(FaultInjection.DatagramLossRate))]
    [InlineData(nameof(FaultInjection.DatagramDelayRate))]
    [InlineData(nameof(FaultInjection.ConnectLossRate))]
    [InlineData(nameof(FaultInjection.ConnectDelayRate))]
    public void A_rate_outside_zero_to_one_is_refused_by_name_also_through_the_peer_options(string rate)
    {
        var faults = rate switch
        {
            nameof(FaultInjection.DatagramLossRate) => new FaultInjection { DatagramLossRate = 1.5 },
            nameof(FaultInjection.DatagramDelayRate) => new FaultInjection { DatagramDelayRate = -0.1 },
            nameof(FaultInjection.ConnectLossRate) => new FaultInjection { ConnectLossRate = double.NaN },
            _ => new FaultInjection { ConnectDelayRate = 2 },
        };
        Assert.Equal(rate, Assert.Throws<ArgumentOutOfRangeException>(faults.Validate).ParamName);
        Assert.Equal(rate, Assert.Throws<ArgumentOutOfRangeException>(new PeerOptions { Id = 1, Faults = faults }.Validate).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaultInjectingNetwork(SocketNetwork.Instance, faults));
    }

    [Fact]
    public void A_negative_delay_and_an_unknown_direction_are_refused()
    {
        Assert.Equal("DatagramDelay", Assert.Throws<ArgumentOutOfRangeException>(new FaultInjection { DatagramDelay = TimeSpan.FromSeconds(-1) }.Validate).ParamName);
        Assert.Equal("ConnectDelay", Assert.Throws<ArgumentOutOfRangeException>(new FaultInjection { ConnectDelay = TimeSpan.FromDays(2) }.Validate).ParamName);
        Assert.Equal("DatagramDirection", Assert.Throws<ArgumentOutOfRangeException>(new FaultInjection { DatagramDirection = 0 }.Validate).ParamName);
    }

    [Fact]
    public void Each_peer_of_a_ring_given_one_seed_draws_from_its_own_seed_the_same_on_every_run()
    {
        var faults = new FaultInjection { DatagramLossRate = 0.05, Seed = 1 };
        Assert.Equal(faults.ForPeer(32).Seed, faults.ForPeer(32).Seed);
        Assert.Equal(8, new ulong[] { 0, 1, 2, 32, 96, 160, 224, 255 }.Select(id => faults.ForPeer(id).Seed).Distinct().Count());
        Assert.Equal(faults with { Seed = faults.ForPeer(32).Seed }, faults.ForPeer(32)); // nothing else changes
        var unseeded = new FaultInjection { DatagramLossRate = 0.05 };
        Assert.Same(unseeded, unseeded.ForPeer(32));
    }

    // A real peer whose own sockets suffer the faults: it pings a live successor that never hears it.

    [Fact]
    public async Task A_peer_losing_every_datagram_gets_no_ping_answer_yet_keeps_a_successor_that_answers_over_tcp()
    {
        using var data = new TempDirectory();
        await using var successor = await StartAsync(20, data, faults: null);
        var events = new ConcurrentQueue<DhtEvent>();
        await using var peer = await StartAsync(10, data, new FaultInjection { DatagramLossRate = 1 }, successor, events);

        // Ten rounds: the suspect's missed pings are confirmed over TCP several times, and each time it answers.
        await Eventually.Holds(() => events.Count(e => e.Kind == DhtEventKind.PingRequestsSent) >= 10, "peer 10 pinged ten rounds");

        Assert.DoesNotContain(events, e => e.Kind == DhtEventKind.PingResponseReceived);
        Assert.DoesNotContain(events, e => e.Kind == DhtEventKind.SuccessorDead);
        Assert.Equal([20UL], peer.Snapshot.Successors);
        Assert.Empty(successor.Snapshot.Predecessors); // it never heard a ping
    }

    [Fact]
    public async Task A_peer_losing_every_datagram_and_connect_declares_its_live_successor_dead()
    {
        using var data = new TempDirectory();
        await using var successor = await StartAsync(20, data, faults: null);
        var events = new ConcurrentQueue<DhtEvent>();
        await using var peer = await StartAsync(10, data, new FaultInjection { DatagramLossRate = 1, ConnectLossRate = 1 }, successor, events);

        await Eventually.Holds(() => events.Any(e => e.Kind == DhtEventKind.SuccessorDead), "peer 10 declared its successor dead");

        var death = Assert.Single(events, e => e.Message == "Peer 20 is no longer alive");
        Assert.DoesNotContain(events, e => e.Kind == DhtEventKind.PingResponseReceived);
        // The evidence rides on the event, the text stays the original's: three pings missed, no round trip ever
        // measured, the last ping's wait backed off to its ceiling (a quarter interval), the TCP question its 1 s floor.
        var evidence = Assert.IsType<FailureEvidence>(death.Evidence);
        Assert.Equal((20UL, 3, (TimeSpan?)null, 0UL), (evidence.PeerId, evidence.MissedPings, evidence.LastRoundTrip, evidence.Incarnation)); // never heard: unknown
        Assert.Equal((TimeSpan.FromMilliseconds(50), FailureDetector.ConfirmTimeoutFloor), (evidence.PingTimeout, evidence.ConfirmTimeout));
    }

    [Fact]
    public async Task A_peer_with_inactive_faults_pings_and_is_answered_as_usual()
    {
        using var data = new TempDirectory();
        await using var successor = await StartAsync(20, data, faults: null);
        var events = new ConcurrentQueue<DhtEvent>();
        await using var peer = await StartAsync(10, data, new FaultInjection { Seed = 3 }, successor, events);

        await Eventually.Holds(() => events.Count(e => e.Kind == DhtEventKind.PingResponseReceived) >= 3, "peer 10 heard three ping answers");
        await Eventually.Holds(() => successor.Snapshot.Predecessors.SequenceEqual([10UL]), "peer 20 learned its predecessor from the pings");
        Assert.DoesNotContain(events, e => e.Kind == DhtEventKind.SuccessorDead);
    }

    private static async Task<PeerNode> StartAsync(ulong id, TempDirectory data, FaultInjection? faults, PeerNode? successor = null,
        ConcurrentQueue<DhtEvent>? events = null)
    {
        var options = new PeerOptions
        {
            Id = id,
            Port = 0,
            PingInterval = TimeSpan.FromMilliseconds(200),
            MissedPingLimit = 3,
            RequestTimeout = TimeSpan.FromSeconds(1),
            DataPath = data.File($"peer-{id}"),
            FirstSuccessor = successor is null ? null : new PeerLocator(successor.Id, successor.Contact.ToEndPoint()),
            Faults = faults,
        };
        var node = await PeerNode.BindAsync(options);
        if (events is not null)
            node.EventRaised += (_, e) => events.Enqueue(e);
        var started = new TaskCompletionSource();
        node.Start(started.SetResult);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return node;
    }

    /// <summary>Counts the datagrams that reach the handler (from socket threads) and echoes every request.</summary>
    private sealed class CountingHandler : ITransportHandler
    {
        private readonly ConcurrentQueue<uint> _sequences = new();

        public ConcurrentQueue<Message> Requests { get; } = new();

        public int Count => _sequences.Count;

        public IEnumerable<uint> Sequences => _sequences;

        public IdSpace Space { get; } = new(8);

        public void OnDatagram(IPEndPoint from, uint sequence, Message message) => _sequences.Enqueue(sequence);

        public Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            return Task.FromResult(request);
        }

        public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken) => Task.CompletedTask;

        public Message? OnRefused(IPEndPoint from, InputRefusal refusal) => null;
    }
}
