using DhtPs.Core.Peer;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Client;

/// <summary>
/// Where a cmdlet's operation enters the ring: a peer this process runs (<see cref="LocalRingEntry"/>), or any peer
/// of a ring elsewhere, reached as a client (<see cref="DhtClient"/>). The cmdlets do the same through either.
/// </summary>
public interface IRingEntry
{
    /// <summary>How the entry is named in messages for a person: "Peer 8" or "the peer at 10.0.0.2:4000".</summary>
    string Description { get; }

    /// <exception cref="Storage.UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="FileNotFoundException">The local file does not exist.</exception>
    /// <exception cref="DhtFileException">The store was not routed, timed out, or its bytes did not arrive whole.</exception>
    Task<DhtFileInfo> StoreAsync(string localPath, string? name, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken);

    /// <exception cref="Storage.UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="DhtFileException">Not found at its owner, not routed, timed out, or the bytes did not arrive whole.</exception>
    Task<DhtFileInfo> FetchAsync(string name, string destinationPath, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Removes file <paramref name="name"/> from the ring (a tombstone at its owner and holders).</summary>
    /// <exception cref="Storage.UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="DhtFileException">Not routed, timed out, or fewer holders than the write quorum confirmed the removal.</exception>
    Task<DhtFileInfo> RemoveAsync(string name, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The owner of <paramref name="key"/>, or of file <paramref name="name"/>'s key (give exactly one).</summary>
    /// <exception cref="Storage.UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The key lies outside the ring's id space.</exception>
    /// <exception cref="LookupException">Not routed, timed out, or the entry is not running.</exception>
    Task<DhtLookup> LookupAsync(string? name, ulong? key, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Walks the ring along first successors from the entry.</summary>
    Task<RingWalk> WalkRingAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Asks a member a question (Test-DhtRing's file report), from wherever the walk asks from.</summary>
    /// <exception cref="Transport.TransportException">The member could not be reached or did not answer in time.</exception>
    Task<Protocol.Message> AskMemberAsync(System.Net.IPEndPoint member, Func<Ring.PeerContact, Protocol.Message> request, TimeSpan timeout, CancellationToken cancellationToken);
}
