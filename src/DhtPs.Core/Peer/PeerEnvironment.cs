using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>The seams a peer runs on: sockets, clock and logical thread. Real by default; simulated in tests.</summary>
public sealed record PeerEnvironment(INetwork Network, TimeProvider Time, Func<Action<Exception>, IPeerScheduler> CreateScheduler)
{
    public static PeerEnvironment Real { get; } =
        new(SocketNetwork.Instance, TimeProvider.System, onError => new ChannelScheduler(onError));
}
