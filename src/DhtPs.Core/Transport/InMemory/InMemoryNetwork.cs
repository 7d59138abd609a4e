using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>
/// A simulated network behind the same <see cref="INetwork"/> seam as real sockets.
/// Every delay goes through <see cref="TimeProvider"/> and every fault is drawn from one seeded
/// <see cref="Random"/>, so with a simulated clock a run is reproducible from its seed.
/// Not thread-safe: it is meant to be driven from one simulation thread.
/// </summary>
public sealed class InMemoryNetwork : INetwork
{
    private readonly Dictionary<IPEndPoint, InMemoryTransport> _bound = [];
    private readonly HashSet<IPEndPoint> _crashed = [];
    private readonly Dictionary<IPEndPoint, int> _islands = [];
    private readonly HashSet<(IPEndPoint, IPEndPoint)> _cutLinks = [];
    private NetworkConditions _conditions = NetworkConditions.Reliable;
    private int _nextIsland;
    private int _nextFreePort = 49152;

    /// <param name="time">Schedules every delivery and timeout.</param>
    /// <param name="random">The one source of every random fault; seed it to replay a run.</param>
    /// <param name="roundTripThroughCodec">Encode and decode every message with the peers' <see cref="WireCodec"/> instead of passing the object.</param>
    public InMemoryNetwork(TimeProvider time, Random random, bool roundTripThroughCodec = false)
    {
        Time = time;
        Random = random;
        RoundTripThroughCodec = roundTripThroughCodec;
    }

    public TimeProvider Time { get; }

    public Random Random { get; }

    public bool RoundTripThroughCodec { get; }

    public NetworkStatistics Statistics { get; } = new();

    public NetworkConditions Conditions
    {
        get => _conditions;
        set
        {
            value.Validate();
            _conditions = value;
        }
    }

    /// <summary>True while some endpoints are cut off from others.</summary>
    public bool IsPartitioned => _islands.Count > 0;

    public Task<IPeerTransport> BindAsync(IPEndPoint localEndPoint, Ingest ingest, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var endPoint = localEndPoint.Port == 0 ? new IPEndPoint(localEndPoint.Address, _nextFreePort++) : localEndPoint;
        if (_bound.ContainsKey(endPoint))
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        var transport = new InMemoryTransport(this, endPoint, ingest);
        _bound.Add(endPoint, transport);
        return Task.FromResult<IPeerTransport>(transport);
    }

    /// <summary>The host at <paramref name="endPoint"/> goes dark: nothing reaches it or leaves it, requests to it time out.</summary>
    public void Crash(IPEndPoint endPoint) => _crashed.Add(endPoint);

    /// <summary>The host is back; whatever binds there next is reachable again.</summary>
    public void Recover(IPEndPoint endPoint) => _crashed.Remove(endPoint);

    /// <summary>Cuts <paramref name="island"/> off from every endpoint outside it (and from earlier islands).</summary>
    public void Partition(IEnumerable<IPEndPoint> island)
    {
        var label = ++_nextIsland;
        foreach (var endPoint in island)
            _islands[endPoint] = label;
    }

    /// <summary>Ends every partition.</summary>
    public void Heal() => _islands.Clear();

    /// <summary>
    /// Cuts the one path between <paramref name="a"/> and <paramref name="b"/>, both ways (datagrams lost, requests
    /// unanswered, stream connections refused), while each still reaches everyone else: a broken route, not a broken host.
    /// </summary>
    public void CutLink(IPEndPoint a, IPEndPoint b)
    {
        _cutLinks.Add((a, b));
        _cutLinks.Add((b, a));
    }

    /// <summary>Restores every path <see cref="CutLink"/> cut.</summary>
    public void RestoreLinks() => _cutLinks.Clear();

    private int Island(IPEndPoint endPoint) => _islands.GetValueOrDefault(endPoint);

    internal void Unbind(InMemoryTransport transport)
    {
        if (_bound.TryGetValue(transport.LocalEndPoint, out var bound) && bound == transport)
            _bound.Remove(transport.LocalEndPoint);
    }

    /// <summary>
    /// Where a message already on its way from <paramref name="from"/> lands: the transport bound at <paramref name="to"/>,
    /// unless that host has crashed or a partition now lies between them. A sender that crashed meanwhile does not recall it.
    /// </summary>
    internal InMemoryTransport? Receiver(IPEndPoint from, IPEndPoint to) =>
        Arrives(from, to) ? _bound.GetValueOrDefault(to) : null;

    /// <summary>The message reaches a live host where nothing listens (a stream connection is refused).</summary>
    internal bool ArrivesUnbound(IPEndPoint from, IPEndPoint to) => Arrives(from, to) && !_bound.ContainsKey(to);

    private bool Arrives(IPEndPoint from, IPEndPoint to) =>
        !_crashed.Contains(to) && Island(from) == Island(to) && (_cutLinks.Count == 0 || !_cutLinks.Contains((from, to)));

    internal void SendDatagram(InMemoryTransport from, IPEndPoint to, uint sequence, Message message)
    {
        Statistics.DatagramsSent++;
        var payload = Wire.Encode(this, from.Ingest.Codec, message, sequence);
        if (_crashed.Contains(from.LocalEndPoint))
        {
            Statistics.DatagramsUndeliverable++;
            return;
        }
        if (Chance(_conditions.LossRate))
        {
            Statistics.DatagramsLost++;
            return;
        }
        var copies = Chance(_conditions.DuplicateRate) ? 2 : 1;
        Statistics.DatagramsDuplicated += copies - 1;
        for (var copy = 0; copy < copies; copy++)
        {
            var delay = NextDelay();
            if (Chance(_conditions.ReorderRate))
            {
                Statistics.DatagramsReordered++;
                delay += _conditions.ReorderDelay * Random.NextDouble();
            }
            var datagram = new DatagramInFlight(this, from.LocalEndPoint, to, sequence, payload);
            Time.CreateTimer(static state => ((DatagramInFlight)state!).Arrive(), datagram, delay, Timeout.InfiniteTimeSpan);
        }
    }

    internal Task<Message> RequestAsync(InMemoryTransport from, IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken) =>
        new Exchange(this, from, to, request, timeout, cancellationToken).Task;

    /// <summary>
    /// A stream connection, connected at once and carrying bytes without delay or loss (nothing here draws from
    /// <see cref="Random"/> or the clock, so file transfers add no randomness to a simulation). The receiver's handler
    /// takes the server end, running inline until it first waits; a crashed, partitioned or unbound target refuses the connection.
    /// </summary>
    internal Task<Stream> OpenStreamAsync(InMemoryTransport from, IPEndPoint to, Message opening, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Receiver(from.LocalEndPoint, to) is not { } target)
            return Task.FromException<Stream>(new TransportException(to, $"Peer at {to} could not be reached: the connection was refused."));
        var (client, server) = DuplexPipe.Create();
        Message delivered;
        try
        {
            delivered = Wire.Encode(this, from.Ingest.Codec, opening, sequence: 0).Decode(target.Ingest.Codec);
        }
        catch (ProtocolException e)
        {
            target.Ingest.Undecodable(from.LocalEndPoint, InputPath.StreamOpening, e);
            return Task.FromException<Stream>(new TransportException(to, $"Peer at {to} closed the connection: {e.Message}"));
        }
        _ = ServeStreamAsync(target, from.LocalEndPoint, delivered, server);
        return Task.FromResult(client);
    }

    private static async Task ServeStreamAsync(InMemoryTransport target, IPEndPoint from, Message opening, Stream server)
    {
        await using (server)
            await target.Ingest.StreamAsync(from, opening, server, CancellationToken.None).ConfigureAwait(false);
    }

    internal TimeSpan NextDelay()
    {
        var (min, max) = (_conditions.MinDelay, _conditions.MaxDelay);
        return min == max ? min : min + (max - min) * Random.NextDouble();
    }

    private bool Chance(double rate) => rate > 0 && Random.NextDouble() < rate;
}
