using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Protocol.Authentication;
using DhtPs.Core.Ring;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Security;

/// <summary>
/// Issue 17's load: strangers holding 1,000 idle connections and a member dripping an upload a byte at a time cannot stop
/// a peer's service; each refusal is counted in its snapshot. The ring lives on 127.0.0.2 (apart from the open-ring
/// tests on 127.0.0.1), the attackers on other loopback addresses (127.0.0.3, 127.0.0.4), as other hosts would, so
/// the per-source limit applies to them and not to the ring.
/// </summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly RingSecret Secret = RingSecret.FromBytes("the ring's secret: 32 bytes long"u8);
    private static readonly TransportLimits Limits = TransportLimits.Default with
    {
        FirstFrameDeadline = TimeSpan.FromSeconds(2),
        RateGracePeriod = TimeSpan.FromSeconds(2),
    };

    private readonly List<PeerNode> _peers = [];
    private readonly List<Socket> _idle = [];
    private readonly ConcurrentQueue<DhtEvent> _events = new();
    private readonly TempDirectory _temp = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var socket in _idle)
            socket.Dispose();
        foreach (var peer in _peers)
            await peer.StopAsync();
        _temp.Dispose();
    }

    private async Task<PeerNode> StartAsync(ulong id)
    {
        var environment = PeerEnvironment.Real with { Codec = new AuthenticatedWireCodec(Secret), Network = new SocketNetwork(Limits) };
        var peer = await PeerNode.StartAsync(new PeerOptions
        {
            Id = id, Address = "127.0.0.2", Port = 0, PingInterval = TimeSpan.FromSeconds(1), DataPath = Path.Combine(_temp.Path, $"peer-{id}"),
        }, environment);
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        _peers.Add(peer);
        return peer;
    }

    [Fact]
    public async Task A_fetch_through_a_peer_held_by_a_thousand_idle_connections_and_a_slow_drip_still_succeeds()
    {
        var four = await StartAsync(4);
        var nine = await StartAsync(9);
        await nine.JoinAsync(new PeerLocator(four.Id, four.Contact.ToEndPoint()), Timeout);
        await Eventually.Holds(() => four.Snapshot.Successors.SequenceEqual([9UL]), "the ring of two is formed");
        var source = Path.Combine(_temp.Path, "2055");
        await File.WriteAllBytesAsync(source, TestContent.Random(200_000, seed: 17));
        var stored = await four.StoreAsync(source, null, null, Timeout, default);
        Assert.Equal(9UL, stored.StoredAt); // Key 2055 mod 256 = 7: owned by 9, so the fetch crosses 4's listener.

        for (var i = 0; i < 1000; i++)
            _idle.Add(await ConnectFromAsync(IPAddress.Parse("127.0.0.3"), four.Contact.ToEndPoint()));
        await using var drip = await StartDripAsync(IPAddress.Parse("127.0.0.4"), four);

        var fetched = await four.FetchAsync("2055", Path.Combine(_temp.Path, "fetched"), null, Timeout, default);
        Assert.Equal(stored.Sha256, fetched.Sha256);

        Assert.True(four.Snapshot.ConnectionsRefused >= 1000 - Limits.MaxConnectionsPerSource,
            $"{four.Snapshot.ConnectionsRefused} connections beyond the per-source share were refused");
        await Eventually.Holds(() => four.Snapshot.SlowConnectionsCut >= Limits.MaxConnectionsPerSource + 1,
            "the admitted idle connections and the drip were cut off", timeoutSeconds: 15);
        await Eventually.Holds(() => drip.CutOff, "the peer closed the dripping connection");
    }

    private static async Task<Socket> ConnectFromAsync(IPAddress source, IPEndPoint to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    /// <summary>A member (it holds the secret) that opens an upload and then sends its header a byte every 300 ms.</summary>
    private static async Task<Drip> StartDripAsync(IPAddress source, PeerNode to)
    {
        var socket = await ConnectFromAsync(source, to.Contact.ToEndPoint());
        var stream = await new AuthenticatedWireCodec(Secret).ConnectAsync(new NetworkStream(socket, ownsSocket: true), default);
        var self = new PeerContact(77, source.ToString(), 40_000);
        await stream.WriteAsync(MessageCodec.EncodeOpening(new FileUpload { Sender = self, IdBits = 8, Purpose = UploadPurpose.HandOff }, 1));
        var header = FrameCodec.Encode(FrameKind.FileHeader, 0, new TransferHeader("2012", 1_000_000, new string('0', 64)).Encode());
        return new Drip(stream, header);
    }

    private sealed class Drip : IAsyncDisposable
    {
        private readonly Stream _stream;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _dripping;
        private readonly Task _watching;

        public Drip(Stream stream, byte[] bytes)
        {
            _stream = stream;
            _dripping = Task.Run(async () =>
            {
                foreach (var b in bytes)
                {
                    try
                    {
                        await _stream.WriteAsync(new[] { b }, _stop.Token);
                        await Task.Delay(300, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                    {
                        return;
                    }
                }
            });
            // The peer never answers a header it has not received: the connection ending is the cut.
            _watching = Task.Run(async () =>
            {
                try
                {
                    _ = await _stream.ReadAsync(new byte[1], _stop.Token); // 0 (closed) or a throw: either is the cut.
                    CutOff = true;
                }
                catch (Exception e) when (e is IOException or SocketException or ProtocolException)
                {
                    CutOff = true;
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        public bool CutOff { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _dripping;
            await _stream.DisposeAsync();
            await _watching;
        }
    }
}
