using System.Net;
using DhtPs.Core.Peer;

namespace DhtPs.Simulation;

/// <summary>One member of a simulated ring across its incarnations: a crash ends one <see cref="PeerNode"/>, a restart starts the next.</summary>
public sealed class SimulatedPeer(PeerOptions options)
{
    public ulong Id => Options.Id;

    public PeerOptions Options { get; } = options;

    public IPEndPoint EndPoint { get; } = new(IPAddress.Parse(options.Address), options.Port!.Value);

    /// <summary>The current incarnation; null before the first start.</summary>
    public PeerNode? Node { get; internal set; }

    /// <summary>Started and not crashed: the runner's notion of a live member.</summary>
    public bool IsUp { get; internal set; }

    /// <summary>The stop of the last crashed incarnation; a restart waits for it.</summary>
    public Task? Stopping { get; internal set; }

    public DhtPeer? Snapshot => Node?.Snapshot;

    public override string ToString() => $"peer {Id}";
}
