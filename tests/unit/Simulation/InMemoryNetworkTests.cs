using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;
using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation;

namespace DhtPs.Tests.Unit.Simulation;

public sealed class InMemoryNetworkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly IPEndPoint A = IPEndPoint.Parse("10.0.0.1:12000");
    private static readonly IPEndPoint B = IPEndPoint.Parse("10.0.0.2:12000");

    private readonly SimulatedTimeProvider _clock = new();
    private readonly InMemoryNetwork _network;
    private readonly RecordingHandler _atA;
    private readonly RecordingHandler _atB;
    private readonly IPeerTransport _a;
    private readonly IPeerTransport _b;

    public InMemoryNetworkTests() : this(codec: false)
    {
    }

    private InMemoryNetworkTests(bool codec)
    {
        _network = new InMemoryNetwork(_clock, new Random(7), codec)
        {
            Conditions = new NetworkConditions { MinDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(30) },
        };
        _atA = new RecordingHandler(() => _clock.Elapsed);
        _atB = new RecordingHandler(() => _clock.Elapsed);
        _a = _network.BindAsync(A, _atA, default).Result;
        _b = _network.BindAsync(B, _atB, default).Result;
    }

    private static PingRequest Ping(ulong from = 1) => new() { Sender = new PeerContact(from, "10.0.0.1", 12000), IdBits = 8, Rank = 1 };

    [Fact]
    public void A_datagram_arrives_after_a_delay_in_range_with_its_sender_and_sequence()
    {
        _a.SendDatagram(B, 42, Ping());
        _clock.RunFor(TimeSpan.FromMilliseconds(9));
        Assert.Empty(_atB.Datagrams);
        _clock.RunFor(TimeSpan.FromMilliseconds(21));
        var (at, from, sequence, message) = Assert.Single(_atB.Datagrams);
        Assert.InRange(at, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(30));
        Assert.Equal((A, 42u), (from, sequence));
        Assert.Equal(Ping(), message);
    }

    [Fact]
    public void Loss_and_duplication_follow_the_conditions()
    {
        _network.Conditions = _network.Conditions with { LossRate = 1 };
        _a.SendDatagram(B, 1, Ping());
        _network.Conditions = _network.Conditions with { LossRate = 0, DuplicateRate = 1 };
        _a.SendDatagram(B, 2, Ping());
        _clock.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal([2u, 2u], _atB.Datagrams.Select(d => d.Sequence));
        Assert.Equal((1, 1), (_network.Statistics.DatagramsLost, _network.Statistics.DatagramsDuplicated));
    }

    [Fact]
    public void A_partition_drops_datagrams_both_ways_even_in_flight_until_it_heals()
    {
        _a.SendDatagram(B, 1, Ping());
        _network.Partition([A]);
        _b.SendDatagram(A, 2, Ping());
        _clock.RunFor(TimeSpan.FromSeconds(1));
        Assert.Empty(_atA.Datagrams);
        Assert.Empty(_atB.Datagrams);
        _network.Heal();
        _a.SendDatagram(B, 3, Ping());
        _clock.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(3u, Assert.Single(_atB.Datagrams).Sequence);
    }

    [Fact]
    public async Task A_request_is_answered_after_two_delays_and_completes_on_the_simulation_thread()
    {
        _atB.Reply = _ => new PingResponse { Sender = new PeerContact(2, "10.0.0.2", 12000), IdBits = 8 };
        var reply = _a.RequestAsync(B, Ping(), Timeout, default);
        _clock.RunFor(TimeSpan.FromMilliseconds(19));
        Assert.False(reply.IsCompleted);
        _clock.RunFor(TimeSpan.FromMilliseconds(41));
        Assert.True(reply.IsCompletedSuccessfully); // No await needed: nothing hopped to another thread.
        Assert.Equal(2UL, Assert.IsType<PingResponse>(await reply).Sender.Id);
    }

    [Fact]
    public void A_request_to_a_crashed_or_partitioned_host_fails_only_at_the_timeout()
    {
        _network.Crash(B);
        var toCrashed = _a.RequestAsync(B, Ping(), Timeout, default);
        _clock.RunFor(Timeout - TimeSpan.FromTicks(1));
        Assert.False(toCrashed.IsCompleted);
        _clock.RunFor(TimeSpan.FromTicks(1));
        Assert.IsType<TransportException>(toCrashed.Exception!.InnerException);

        _network.Recover(B);
        _network.Partition([B]);
        var toPartitioned = _a.RequestAsync(B, Ping(), Timeout, default);
        _clock.RunFor(Timeout);
        Assert.Contains("did not answer within 5 s", Assert.IsType<TransportException>(toPartitioned.Exception!.InnerException).Message);
        Assert.Empty(_atB.Requests);
    }

    [Fact]
    public async Task A_request_to_a_live_host_with_nothing_bound_is_refused_at_once()
    {
        await _b.DisposeAsync();
        var refused = _a.RequestAsync(B, Ping(), Timeout, default);
        _clock.RunFor(TimeSpan.FromMilliseconds(30));
        Assert.Contains("refused", Assert.IsType<TransportException>(refused.Exception!.InnerException).Message);
    }

    [Fact]
    public async Task Binding_a_bound_endpoint_fails_and_port_zero_picks_distinct_ports()
    {
        await Assert.ThrowsAsync<SocketException>(() => _network.BindAsync(A, _atA, default));
        var first = (await _network.BindAsync(IPEndPoint.Parse("10.0.0.9:0"), _atA, default)).LocalEndPoint;
        var second = (await _network.BindAsync(IPEndPoint.Parse("10.0.0.9:0"), _atA, default)).LocalEndPoint;
        Assert.NotEqual(first, second);
        Assert.NotEqual(0, first.Port);
    }

    [Fact]
    public void With_the_codec_flag_messages_cross_as_bytes_and_arrive_as_equal_copies()
    {
        var codec = new InMemoryNetworkTests(codec: true);
        var sent = Ping();
        codec._a.SendDatagram(B, 5, sent);
        codec._clock.RunFor(TimeSpan.FromSeconds(1));
        var received = Assert.Single(codec._atB.Datagrams).Message;
        Assert.Equal(sent, received);
        Assert.NotSame(sent, received);
    }

    [Fact]
    public void With_the_codec_flag_a_message_the_codec_does_not_know_fails_at_the_sender()
    {
        var codec = new InMemoryNetworkTests(codec: true);
        var unknown = new UnregisteredMessage { Sender = new PeerContact(1, "10.0.0.1", 12000), IdBits = 8 };
        Assert.Throws<NotSupportedException>(() => codec._a.SendDatagram(B, 1, unknown));
        _a.SendDatagram(B, 1, unknown); // Without the flag the object simply passes.
        _clock.RunFor(TimeSpan.FromSeconds(1));
        Assert.Single(_atB.Datagrams);
    }

    private sealed record UnregisteredMessage : Message;
}
