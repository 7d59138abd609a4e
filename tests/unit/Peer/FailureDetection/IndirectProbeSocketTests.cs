using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport.Faults;

namespace DhtPs.Tests.Unit.Peer.FailureDetection;

/// <summary>
/// SWIM's indirect probes on real loopback sockets: ring 10 → 20 → 30 → 40 → 10 (two successors each), where peer 10's
/// own path to its first successor 20 is broken — every datagram and TCP exchange it sends to 20 is dropped by the loss
/// injector's per-destination rule — while every other path works. Its predecessors 40 and 30 can still reach 20.
/// </summary>
public sealed class IndirectProbeSocketTests
{
    /// <summary>1 s: a helper nacks after a probe period of 250 ms, so a loaded machine's stalls make no false nacks.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_successor_that_only_the_direct_path_cannot_reach_is_kept_alive_through_the_helpers()
    {
        var (events, ring) = await RingWithBrokenPathAsync(PeerOptions.DefaultIndirectProbes);
        await using var _ = ring;

        // Eight rounds: each round's ping to 20 is lost, so 20 is a suspect every round, and every time a helper relays its answer.
        await Eventually.Holds(() => events.Count(e => e.Kind == DhtEventKind.PingRequestsSent) >= 8, "peer 10 pinged eight rounds", timeoutSeconds: 30);

        Assert.DoesNotContain(events, e => e is { Kind: DhtEventKind.PingResponseReceived, RemotePeerId: 20 }); // the direct path is truly broken
        Assert.DoesNotContain(events, e => e.Kind == DhtEventKind.SuccessorDead);
        Assert.Equal([20UL, 30UL], ring.Peer10.Snapshot.Successors);
    }

    [Fact]
    public async Task Without_indirect_probes_the_same_broken_path_gets_the_live_successor_declared_dead()
    {
        // The control of the test above: the setup does break the path, and only the helpers keep 20.
        var (events, ring) = await RingWithBrokenPathAsync(indirectProbes: 0);
        await using var _ = ring;

        // About 3 s here; the longest wait a suspect gets is 4 intervals, and a loaded machine stretches every timer
        // (a clean-clone CI run, beside the simulation tests, took over 10 s), so the deadline is the same 30 s as the test above.
        await Eventually.Holds(() => events.Any(e => e.Kind == DhtEventKind.SuccessorDead), "peer 10 declared peer 20 dead", timeoutSeconds: 30);

        Assert.Contains(events, e => e.Message == "Peer 20 is no longer alive");
    }

    private static async Task<(ConcurrentQueue<DhtEvent> Events, Ring Ring)> RingWithBrokenPathAsync(int indirectProbes)
    {
        // The ring is a cycle, so every port is chosen before the first bind; another test may take one in between
        // (an ephemeral port of its own, TCP or UDP): then the whole ring is built again on other ports.
        for (var attempt = 1; ; attempt++)
        {
            var data = new TempDirectory();
            var nodes = new List<PeerNode>();
            try
            {
                var events = await BindRingWithBrokenPathAsync(indirectProbes, data, nodes);
                return (events, new Ring(nodes, data));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                await new Ring(nodes, data).DisposeAsync();
            }
        }
    }

    private static async Task<ConcurrentQueue<DhtEvent>> BindRingWithBrokenPathAsync(int indirectProbes, TempDirectory data, List<PeerNode> nodes)
    {
        ulong[] ids = [10, 20, 30, 40];
        var ports = ids.Select(_ => FreePort()).ToArray();
        var endPoints = ports.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray();
        PeerLocator Locator(int i) => new(ids[i % ids.Length], endPoints[i % ids.Length]);
        var events = new ConcurrentQueue<DhtEvent>();
        for (var i = 0; i < ids.Length; i++)
        {
            var options = new PeerOptions
            {
                Id = ids[i],
                Port = ports[i],
                PingInterval = Interval,
                MissedPingLimit = 3,
                RequestTimeout = TimeSpan.FromSeconds(1),
                ReplicationFactor = 1,
                SuccessorCount = 2,
                MaintainFingers = false,
                DataPath = data.File($"peer-{ids[i]}"),
                FirstSuccessor = Locator(i + 1),
                SecondSuccessor = Locator(i + 2),
                IndirectProbes = i == 0 ? indirectProbes : PeerOptions.DefaultIndirectProbes,
                Faults = i == 0 ? new FaultInjection { BlockedEndPoints = [endPoints[1]] } : null,
            };
            var node = await PeerNode.BindAsync(options);
            if (i == 0)
                node.EventRaised += (_, e) => events.Enqueue(e);
            nodes.Add(node);
        }
        foreach (var node in nodes)
        {
            var started = new TaskCompletionSource();
            node.Start(started.SetResult);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        // Every predecessor slot filled: 10's helpers (40 and 30) know of it before it starts to suspect.
        await Eventually.Holds(() => nodes[0].Snapshot.Predecessors.SequenceEqual([40UL, 30UL]), "peer 10 learned its predecessors 40 and 30");
        return events;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class Ring(IReadOnlyList<PeerNode> nodes, TempDirectory data) : IAsyncDisposable
    {
        public PeerNode Peer10 => nodes[0];

        public async ValueTask DisposeAsync()
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            data.Dispose();
        }
    }
}
