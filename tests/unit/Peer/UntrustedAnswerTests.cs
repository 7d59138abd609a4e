using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>Answers from other peers are input too: one a peer cannot use is dropped and counted, and the peer carries on.</summary>
public sealed class UntrustedAnswerTests
{
    [Fact]
    public async Task A_repair_answer_naming_an_unusable_peer_is_dropped_and_counted()
    {
        // Peer 10's successors: a hand-made peer 20 that answers pings but lies about its successors, and 30, which is dead.
        var bound = BindUdpAndTcpOnOnePort();
        using var liar = bound.Udp;
        using var listener = bound.Tcp;
        var port = ((IPEndPoint)liar.Client.LocalEndPoint!).Port;
        var twenty = new PeerContact(20, "127.0.0.1", port);
        using var stop = new CancellationTokenSource();
        var pongs = AnswerPingsAsync(liar, twenty, stop.Token);
        var lies = AnswerNeighborQueriesAsync(listener, twenty, stop.Token);

        var events = new ConcurrentQueue<DhtEvent>();
        await using var ten = await PeerNode.StartAsync(new PeerOptions
        {
            Id = 10, Port = 0, PingInterval = TimeSpan.FromMilliseconds(200),
            FirstSuccessor = new PeerLocator(20, twenty.ToEndPoint()),
            SecondSuccessor = new PeerLocator(30, new IPEndPoint(IPAddress.Loopback, GetClosedPort())),
        });
        ten.EventRaised += (_, e) => events.Enqueue(e);

        // Stabilization asks 20 every round, so the lie is counted even before 30 is declared dead.
        await Eventually.Holds(() => ten.Snapshot.MalformedInputs > 0 && ten.Snapshot.Successors.SequenceEqual([20UL]),
            "the lying answer was counted and 30 was repaired out");
        Assert.Equal([20UL], ten.Snapshot.Successors);
        Assert.Equal(PeerStatus.Running, ten.Snapshot.State);
        Assert.DoesNotContain(events, e => e.Kind == DhtEventKind.InternalError);
        stop.Cancel();
        await Task.WhenAll(pongs, lies).WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// A UDP port the OS chose, with the same port bound for TCP: tried again with another port when some other process
    /// on the machine holds that port's TCP side.
    /// </summary>
    private static (UdpClient Udp, TcpListener Tcp) BindUdpAndTcpOnOnePort()
    {
        for (var attempt = 1; ; attempt++)
        {
            var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new TcpListener(IPAddress.Loopback, ((IPEndPoint)udp.Client.LocalEndPoint!).Port);
            try
            {
                tcp.Start();
                return (udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
            }
        }
    }

    private static int GetClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task AnswerPingsAsync(UdpClient socket, PeerContact self, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var ping = await socket.ReceiveAsync(stop);
                var (sequence, _) = MessageCodec.Decode(ping.Buffer);
                await socket.SendAsync(MessageCodec.Encode(new PingResponse { Sender = self, IdBits = 8 }, sequence), ping.RemoteEndPoint, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task AnswerNeighborQueriesAsync(TcpListener listener, PeerContact self, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(stop);
                var stream = client.GetStream();
                var frame = await FrameCodec.ReadAsync(stream, stop);
                var lie = new NeighborsResponse { Sender = self, IdBits = 8, Successors = [new PeerContact(40, "not-an-address", 1)], Predecessors = [] };
                await stream.WriteAsync(MessageCodec.Encode(lie, frame!.Value.Sequence), stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
