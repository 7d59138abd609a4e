using System.Net;

namespace DhtPs.Core.Transport.Faults;

/// <summary>
/// Wraps a network so that every transport it binds suffers the faults of a <see cref="FaultInjection"/>: the real
/// sockets stay real, only some of what crosses them is dropped or held back. For tests; a peer gets one when its
/// <see cref="Peer.PeerOptions.Faults"/> are active.
/// </summary>
public sealed class FaultInjectingNetwork : INetwork
{
    private readonly INetwork _inner;
    private readonly TimeProvider _time;
    private long _sentDropped, _sentDelayed, _receivedDropped, _receivedDelayed, _connectsDropped, _connectsDelayed;

    public FaultInjectingNetwork(INetwork inner, FaultInjection faults, TimeProvider? time = null)
    {
        faults.Validate();
        _inner = inner;
        Faults = faults;
        _time = time ?? TimeProvider.System;
    }

    /// <summary><paramref name="network"/> itself when <paramref name="faults"/> inject nothing, else wrapped.</summary>
    public static INetwork Wrap(INetwork network, FaultInjection? faults, TimeProvider time) =>
        faults is { IsActive: true } ? new FaultInjectingNetwork(network, faults, time) : network;

    public FaultInjection Faults { get; }

    public FaultStatistics Statistics => new(
        Interlocked.Read(ref _sentDropped), Interlocked.Read(ref _sentDelayed),
        Interlocked.Read(ref _receivedDropped), Interlocked.Read(ref _receivedDelayed),
        Interlocked.Read(ref _connectsDropped), Interlocked.Read(ref _connectsDelayed));

    public async Task<IPeerTransport> BindAsync(IPEndPoint localEndPoint, Ingest ingest, CancellationToken cancellationToken)
    {
        // One set of dice per transport: a peer bound twice with one seed repeats its decisions.
        var dice = new FaultDice(Faults.Seed);
        var delays = new DelayedActions(_time);
        var receiving = new FaultInjectingHandler(ingest.Handler, this, dice, delays);
        var inner = await _inner.BindAsync(localEndPoint, new Ingest(ingest.Codec, receiving), cancellationToken).ConfigureAwait(false);
        return new FaultInjectingTransport(inner, this, dice, delays);
    }

    internal TimeProvider Time => _time;

    internal void SentDropped() => Interlocked.Increment(ref _sentDropped);
    internal void SentDelayed() => Interlocked.Increment(ref _sentDelayed);
    internal void ReceivedDropped() => Interlocked.Increment(ref _receivedDropped);
    internal void ReceivedDelayed() => Interlocked.Increment(ref _receivedDelayed);
    internal void ConnectDropped() => Interlocked.Increment(ref _connectsDropped);
    internal void ConnectDelayed() => Interlocked.Increment(ref _connectsDelayed);
}
