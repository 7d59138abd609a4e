using System.Collections.Concurrent;
using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;
using DhtPs.Tests.Unit.Simulation;

namespace DhtPs.Tests.Unit.Transport;

/// <summary>
/// Requests between peers travel on connections kept open (protocol.md §1.3), on real loopback sockets: many in
/// flight on one connection, answers matched by sequence number, a broken connection failing all of its requests
/// at once, and a connection the other side closed replaced without the caller noticing.
/// </summary>
public sealed class KeptConnectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    /// <summary>Answers each lookup with a route answer naming the lookup's key as its reason, once <see cref="Release"/> lets it.</summary>
    private sealed class EchoingHandler : ITransportHandler
    {
        public ConcurrentBag<IPEndPoint> Sources { get; } = [];

        public IdSpace Space { get; } = new(8);

        public Func<LookupRequest, Task> Release { get; set; } = _ => Task.CompletedTask;

        public void OnDatagram(IPEndPoint from, uint sequence, Message message)
        {
        }

        public async Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken)
        {
            Sources.Add(from);
            var lookup = (LookupRequest)request;
            await Release(lookup);
            return new ErrorResponse { Sender = lookup.Sender, IdBits = 8, Code = ErrorCode.Invalid, Reason = $"key {lookup.Key}" };
        }

        public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken) => Task.CompletedTask;

        public Message? OnRefused(IPEndPoint from, InputRefusal refusal) => null;
    }

    private static LookupRequest Lookup(ulong key) => new()
    {
        Sender = new PeerContact(1, "127.0.0.1", 12001), IdBits = 8, RequestId = $"r{key}", Key = key, Origin = new PeerContact(1, "127.0.0.1", 12001),
    };

    private static string ReasonOf(Message answer) => Assert.IsType<ErrorResponse>(answer).Reason;

    [Fact]
    public async Task Many_requests_in_flight_share_one_connection_and_each_gets_its_own_answer_whatever_the_order()
    {
        var server = new EchoingHandler();
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        // Every answer waits until all 40 requests have arrived, then they come back in reverse order of their keys.
        server.Release = async lookup =>
        {
            if (Interlocked.Increment(ref arrived) == 40)
                allIn.SetResult();
            await allIn.Task;
            await Task.Delay(TimeSpan.FromMilliseconds(2 * (40 - (int)lookup.Key)));
        };
        await using var b = await SocketNetwork.Instance.BindAsync(AnyLoopback, server, default);
        await using var a = await SocketNetwork.Instance.BindAsync(AnyLoopback, new EchoingHandler(), default);

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(key => a.RequestAsync(b.LocalEndPoint, Lookup((ulong)key), Patience, default)));

        Assert.Equal(Enumerable.Range(0, 40).Select(key => $"key {key}"), answers.Select(ReasonOf));
        Assert.Single(server.Sources.Distinct()); // one connection: every request came from the same source port
    }

    [Fact]
    public async Task A_connection_that_breaks_fails_every_request_waiting_on_it_at_once()
    {
        var never = new TaskCompletionSource();
        var server = new EchoingHandler { Release = _ => never.Task };
        var b = await SocketNetwork.Instance.BindAsync(AnyLoopback, server, default);
        await using var a = await SocketNetwork.Instance.BindAsync(AnyLoopback, new EchoingHandler(), default);
        var waiting = Enumerable.Range(0, 5).Select(key => a.RequestAsync(b.LocalEndPoint, Lookup((ulong)key), TimeSpan.FromMinutes(5), default)).ToArray();
        await Eventually.Holds(() => server.Sources.Count == 5, "all five requests reached the server");

        await b.DisposeAsync(); // the server goes away with all five unanswered
        never.SetResult();

        var failures = await Task.WhenAll(waiting.Select(w => Assert.ThrowsAsync<TransportException>(() => w).WaitAsync(Patience)));
        Assert.All(failures, failure => Assert.Contains(b.LocalEndPoint.ToString(), failure.Message));
    }

    [Fact]
    public async Task A_kept_connection_the_other_side_closed_is_replaced_for_the_next_request()
    {
        var server = new EchoingHandler();
        await using var b = await SocketNetwork.Instance.BindAsync(AnyLoopback, server, default);
        await using var a = await SocketNetwork.Instance.BindAsync(AnyLoopback, new EchoingHandler(), default);
        Assert.Equal("key 1", ReasonOf(await a.RequestAsync(b.LocalEndPoint, Lookup(1), Patience, default)));

        // A request the server's handler refuses without an answer makes the server close the connection (as it
        // closes one left idle); the request fails, once more on a new connection too, with a clear error.
        await Assert.ThrowsAsync<TransportException>(() => a.RequestAsync(b.LocalEndPoint, Lookup(2) with { IdBits = 16 }, Patience, default));

        Assert.Equal("key 3", ReasonOf(await a.RequestAsync(b.LocalEndPoint, Lookup(3), Patience, default)));
        Assert.Equal(2, server.Sources.Distinct().Count()); // the third request came on a connection of its own
    }

    [Fact]
    public async Task A_kept_connection_idle_longer_than_the_idle_close_is_closed_and_a_later_request_opens_a_new_one()
    {
        var network = new SocketNetwork(TransportLimits.Default with { KeptConnectionIdleClose = TimeSpan.FromMilliseconds(300) });
        var server = new EchoingHandler();
        await using var b = await network.BindAsync(AnyLoopback, server, default);
        await using var a = await network.BindAsync(AnyLoopback, new EchoingHandler(), default);
        Assert.Equal("key 1", ReasonOf(await a.RequestAsync(b.LocalEndPoint, Lookup(1), Patience, default)));
        Assert.Equal(1, ((SocketTransport)a).KeptConnections);

        await Eventually.Holds(() => ((SocketTransport)a).KeptConnections == 0 && network.KeptConnections.Count == 0,
            "the idle connection was closed");

        Assert.Equal("key 2", ReasonOf(await a.RequestAsync(b.LocalEndPoint, Lookup(2), Patience, default)));
        Assert.Equal(2, server.Sources.Distinct().Count()); // the second request came on a new connection
    }

    [Fact]
    public async Task Past_the_cap_a_new_connection_closes_the_least_recently_used_idle_one_of_any_peer_of_the_network()
    {
        // Idle close far off: only the cap closes anything here.
        var network = new SocketNetwork(TransportLimits.Default with { MaxKeptConnections = 2, KeptConnectionIdleClose = TimeSpan.FromMinutes(5) });
        var servers = Enumerable.Range(0, 3).Select(_ => new EchoingHandler()).ToArray();
        var bound = new List<IPeerTransport>();
        try
        {
            foreach (var server in servers)
                bound.Add(await network.BindAsync(AnyLoopback, server, default));
            await using var a1 = await network.BindAsync(AnyLoopback, new EchoingHandler(), default);
            await using var a2 = await network.BindAsync(AnyLoopback, new EchoingHandler(), default);

            await a1.RequestAsync(bound[0].LocalEndPoint, Lookup(1), Patience, default); // least recently used, next
            await a2.RequestAsync(bound[1].LocalEndPoint, Lookup(2), Patience, default);
            await a1.RequestAsync(bound[2].LocalEndPoint, Lookup(3), Patience, default); // a third: the first goes

            await Eventually.Holds(() => network.KeptConnections.Count == 2 && ((SocketTransport)a1).KeptConnections == 1,
                "a1's connection to the first server was closed, a2's kept");
            Assert.Equal(1, ((SocketTransport)a2).KeptConnections);

            // a2 still has its own; the closed one is opened again when needed (closing the least recently used, a1's
            // to the third server), and answers.
            await a2.RequestAsync(bound[1].LocalEndPoint, Lookup(4), Patience, default);
            Assert.Single(servers[1].Sources.Distinct());
            Assert.Equal("key 5", ReasonOf(await a1.RequestAsync(bound[0].LocalEndPoint, Lookup(5), Patience, default)));
            Assert.Equal(2, servers[0].Sources.Distinct().Count());
            await Eventually.Holds(() => network.KeptConnections.Count == 2, "the cap held");
        }
        finally
        {
            foreach (var transport in bound)
                await transport.DisposeAsync();
        }
    }
}
