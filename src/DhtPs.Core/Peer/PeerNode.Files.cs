using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Core.Peer;

/// <summary>Files in the ring, the public side: the work is the <see cref="FileService"/>'s; these calls are measured.</summary>
public sealed partial class PeerNode
{
    /// <summary>The files this peer holds; the data directory is created on first use.</summary>
    public FileStore Files => _fileService.Files;

    /// <summary>The directory of <see cref="Files"/>.</summary>
    public string DataPath => _fileService.DataPath;

    /// <summary>
    /// The files this peer holds, by name, each with its role by the last published snapshot (<see cref="FileRoles"/>):
    /// owner, replica or stray. Off the logical thread: a file not hashed before is hashed here.
    /// </summary>
    public Task<IReadOnlyList<DhtStoredFile>> ListStoredFilesAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        var roles = new FileRoles(Space, Id, Snapshot.Predecessors, _options.ReplicationFactor);
        return (IReadOnlyList<DhtStoredFile>)[.. Files.List().Select(file => new DhtStoredFile(Id, file.Name, file.Key, roles.Of(file.Key),
            file.Length, file.Sha256, Path.Combine(DataPath, file.Name)) { Version = file.Version })];
    }, cancellationToken);

    /// <summary>
    /// Stores the local file <paramref name="localPath"/> in the ring as <paramref name="name"/> (default: its file name).
    /// Nothing is sent when the name is unsafe or the file does not exist.
    /// </summary>
    /// <param name="timeout">How long the owner may take to accept the store.</param>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="FileNotFoundException">The local file does not exist.</exception>
    /// <exception cref="DhtFileException">The store was not routed, timed out, or its bytes did not arrive whole.</exception>
    public Task<DhtFileInfo> StoreAsync(string localPath, string? name, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken) =>
        Measured("store", _fileService.StoreAsync(localPath, name, progress, timeout, cancellationToken), stored => stored.Hops);

    /// <summary>
    /// Fetches <paramref name="name"/> from the ring into <paramref name="destinationPath"/> (whose directory must exist);
    /// the file appears there only complete and verified.
    /// </summary>
    /// <param name="timeout">How long the owner may take to answer or start sending.</param>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="DhtFileException">Not found at its owner, not routed, timed out, or the bytes did not arrive whole.</exception>
    public Task<DhtFileInfo> FetchAsync(string name, string destinationPath, IProgress<TransferProgress>? progress, TimeSpan timeout, CancellationToken cancellationToken) =>
        Measured("fetch", _fileService.FetchAsync(name, destinationPath, progress, timeout, cancellationToken), fetched => fetched.Hops);

    /// <summary>
    /// Removes <paramref name="name"/> from the ring: its owner records a tombstone that its holders keep, so that no stale
    /// copy brings the file back (protocol.md 8.9). Returns the tombstone's owner, version and confirmed copies.
    /// </summary>
    /// <param name="timeout">How long the owner may take to answer.</param>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="DhtFileException">Not routed, timed out, or fewer holders than the write quorum confirmed the removal.</exception>
    public Task<DhtFileInfo> RemoveAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        Measured("remove", _fileService.RemoveAsync(name, timeout, cancellationToken), removed => removed.Hops);
}
