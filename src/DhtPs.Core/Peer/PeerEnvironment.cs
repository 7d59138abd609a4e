using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;
using DhtPs.Core.Transport;

namespace DhtPs.Core.Peer;

/// <summary>The seams a peer runs on: sockets, wire, clock, logical thread and files. Real by default; simulated in tests.</summary>
public sealed record PeerEnvironment(INetwork Network, TimeProvider Time, Func<Action<Exception>, IPeerScheduler> CreateScheduler)
{
    /// <summary>Where the peer's data directory is, and the local files it stores from and fetches into.</summary>
    public IFileSystem FileSystem { get; init; } = DiskFileSystem.Instance;

    /// <summary>The wire the peer speaks: the open ring's plain frames, or frames authenticated with a ring secret.</summary>
    public WireCodec Codec { get; init; } = WireCodec.Open;

    public static PeerEnvironment Real { get; } =
        new(SocketNetwork.Instance, TimeProvider.System, onError => new ChannelScheduler(onError));
}
