using DhtPs.Core.Peer;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Client;

/// <summary>A peer of this process as the entry: its own operations, as origin.</summary>
public sealed class LocalRingEntry(PeerNode peer) : IRingEntry
{
    public PeerNode Peer { get; } = peer;

    public string Description => $"Peer {Peer.Id}";

    public Task<DhtFileInfo> StoreAsync(string localPath, string? name, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken) =>
        Peer.StoreAsync(localPath, name, progress, timeout, cancellationToken);

    public Task<DhtFileInfo> FetchAsync(string name, string destinationPath, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken) =>
        Peer.FetchAsync(name, destinationPath, progress, timeout, cancellationToken);

    public Task<DhtFileInfo> RemoveAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        Peer.RemoveAsync(name, timeout, cancellationToken);

    public Task<DhtLookup> LookupAsync(string? name, ulong? key, TimeSpan timeout, CancellationToken cancellationToken) =>
        Peer.LookupAsync(name is null ? key!.Value : FileKey.Of(name, Peer.Space), timeout, cancellationToken);

    public Task<RingWalk> WalkRingAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Peer.WalkRingAsync(timeout: timeout, cancellationToken: cancellationToken);

    public Task<Protocol.Message> AskMemberAsync(System.Net.IPEndPoint member, Func<Ring.PeerContact, Protocol.Message> request, TimeSpan timeout, CancellationToken cancellationToken) =>
        Peer.AskMemberAsync(member, request, timeout, cancellationToken);
}
