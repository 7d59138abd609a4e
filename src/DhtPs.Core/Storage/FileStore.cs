using System.Buffers;
using System.Collections.Concurrent;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Storage;

/// <summary>
/// A peer's files on disk: one flat data directory, one file per stored name, and an index beside them
/// (<see cref="FileIndex"/>) that records for each name the version held and the SHA-256 and length recorded when it
/// was stored, or a tombstone for a removed name. Writes go through <see cref="PartialFile"/> (temp file, verify,
/// atomic rename), so readers only ever see complete files. One store per directory: opening a store removes the
/// temporary files a crashed predecessor left behind, except the resumable ones of transfers that may still be retried
/// (until they are stale).
/// <para>
/// Safe for concurrent use, and used that way: its owner, a peer's file service, asks it on the peer's logical thread
/// whether a name is stored, which names are and which versions (<see cref="Exists"/>, <see cref="Names"/>,
/// <see cref="Find"/>), while transfers read, write, hash and delete on other threads. A version appears only by an
/// atomic rename of a verified copy followed by its index entry, and only when no higher version is held (the commit
/// lock makes that check and the rename one step); it leaves by one delete. A reader keeps its open copy.
/// </para>
/// </summary>
public sealed class FileStore
{
    private const int CopyBufferLength = 64 * 1024;

    /// <summary>How often <see cref="GetInfo"/> hashes a file that is replaced meanwhile before it gives up.</summary>
    private const int MaxHashAttempts = 8;

    private readonly IFileSystem _fileSystem;
    private readonly FileIndex _index;

    // Makes "is a higher version held?", the rename and the index write one step for every name (they are short).
    private readonly Lock _commitLock = new();

    /// <param name="fileSystem">Where the directory is; the disk by default.</param>
    public FileStore(string directory, IdSpace space, IFileSystem? fileSystem = null)
    {
        _fileSystem = fileSystem ?? DiskFileSystem.Instance;
        Directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        Space = space;
        _fileSystem.CreateDirectory(Directory);
        foreach (var orphan in _fileSystem.EnumerateFiles(Directory, "*").Select(Path.GetFileName).OfType<string>()
                     .Where(name => PartialFile.IsTempFileName(name) && !PartialFile.IsResumableTempFileName(name)))
            _fileSystem.Delete(Path.Combine(Directory, orphan));
        PartialFile.DeleteStale(_fileSystem, Directory, _fileSystem.UtcNow);
        _index = new FileIndex(_fileSystem, Directory);
        // An entry whose bytes are gone (a crash between the delete and the index write) records nothing held.
        foreach (var lost in _index.All.Where(record => !record.IsTombstone && !_fileSystem.FileExists(PathOf(record.Name))))
            _index.Remove(lost.Name);
    }

    public string Directory { get; }
    public IdSpace Space { get; }

    /// <summary>Starts storing version <paramref name="version"/> of <paramref name="name"/> from its first byte; the caller writes the content and commits.</summary>
    public PartialFile BeginStore(string name, long length, string sha256, FileVersion version) =>
        PartialFile.Create(_fileSystem, PathOf(name), length, sha256, CommitGate(name, length, sha256, version));

    /// <summary>
    /// Starts or continues storing <paramref name="name"/> from a transfer that may be cut off and retried:
    /// the bytes an interrupted transfer of the same content left are kept (see <see cref="PartialFile.ResumeAsync(string, long, string, CancellationToken)"/>).
    /// </summary>
    public Task<PartialFile> ResumeStoreAsync(string name, long length, string sha256, FileVersion version, CancellationToken cancellationToken) =>
        PartialFile.ResumeAsync(_fileSystem, PathOf(name), length, sha256, CommitGate(name, length, sha256, version), cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> as version <paramref name="version"/> of <paramref name="name"/> if it has exactly the
    /// announced length and SHA-256; a higher version held already stays (and is what this returns).
    /// </summary>
    /// <exception cref="FileContentMismatchException">The content differs from what was announced; nothing was stored.</exception>
    /// <exception cref="FileNotFoundException">A tombstone at a higher version is held: the name stays removed.</exception>
    public async Task<StoredFile> StoreAsync(string name, Stream content, long length, string sha256, FileVersion version, CancellationToken cancellationToken)
    {
        await using (var partial = BeginStore(name, length, sha256, version))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferLength);
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    await partial.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            await partial.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        return GetInfo(name);
    }

    /// <summary>Opens a stored file for reading; it may be replaced or deleted meanwhile without disturbing the reader.</summary>
    /// <exception cref="FileNotFoundException">No such file is stored.</exception>
    public Stream Open(string name) => _fileSystem.OpenRead(PathOf(name));

    public bool Exists(string name) => _fileSystem.FileExists(PathOf(name));

    /// <summary>
    /// What the index records for <paramref name="name"/>: the version held, or a tombstone; null when nothing is. A copy
    /// deleted behind the index's back is found out here (one look at the disk) and forgotten, so that it is copied again.
    /// </summary>
    public FileRecord? Find(string name)
    {
        var record = _index.Get(name);
        if (record is null || record.IsTombstone || _fileSystem.FileExists(PathOf(name)))
            return record;
        lock (_commitLock)
        {
            if (_index.Get(name) == record && !_fileSystem.FileExists(PathOf(name)))
                _index.Remove(name);
        }
        return _index.Get(name);
    }

    /// <summary>The highest version counter this store has recorded: a new write's version must be above it.</summary>
    public long HighestCounter => _index.HighestCounter;

    /// <summary>Every record of the index, tombstones included, in name order.</summary>
    public IReadOnlyList<FileRecord> Records() => [.. _index.All.OrderBy(record => record.Name, StringComparer.Ordinal)];

    /// <summary>Deletes a stored copy and its record (it was handed on, released or found corrupt); false when there was none.</summary>
    public bool Delete(string name)
    {
        var path = PathOf(name);
        lock (_commitLock)
        {
            _index.Remove(name);
            if (!_fileSystem.FileExists(path))
                return false;
            _fileSystem.Delete(path);
            return true;
        }
    }

    /// <summary>
    /// Records that <paramref name="name"/> was removed at <paramref name="version"/>: its bytes go, and a tombstone stays
    /// until <see cref="ExpireTombstones"/> drops it. False when a version at least as high is held (a later store wins).
    /// </summary>
    public bool Remove(string name, FileVersion version, DateTimeOffset removedAt)
    {
        var path = PathOf(name);
        lock (_commitLock)
        {
            if (_index.Get(name) is { } held && held.Version >= version)
                return false;
            _index.Put(new FileRecord(name, version, _index.Get(name)?.Sha256 ?? FileDigest.Empty, 0, removedAt));
            if (_fileSystem.FileExists(path))
                _fileSystem.Delete(path);
            return true;
        }
    }

    /// <summary>Drops the tombstones recorded before <paramref name="before"/>; returns their names.</summary>
    public IReadOnlyList<string> ExpireTombstones(DateTimeOffset before)
    {
        var expired = new List<string>();
        lock (_commitLock)
        {
            foreach (var record in _index.All.Where(record => record.RemovedAt < before))
            {
                _index.Remove(record.Name);
                expired.Add(record.Name);
            }
        }
        return expired;
    }

    /// <summary>
    /// Name, key, version, length and the SHA-256 recorded at store time of a stored file. A file whose bytes changed
    /// behind the index (length or write time differ from the commit's) is hashed again; if its digest differs too, its
    /// version is no longer known (<see cref="FileVersion.Unknown"/>) and any recorded copy elsewhere beats it.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file is stored.</exception>
    /// <exception cref="IOException">The file kept being replaced while it was hashed.</exception>
    public StoredFile GetInfo(string name)
    {
        var path = PathOf(name);
        for (var attempt = 1; ; attempt++)
        {
            if (_fileSystem.GetStamp(path) is not { } stamp)
                throw new FileNotFoundException($"File {name} is not stored here.", path);
            var known = _index.Get(name);
            if (known is { IsTombstone: false } && known.Stamp == stamp)
                return Describe(known);
            string sha256;
            using (var content = Open(name))
                sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
            lock (_commitLock)
            {
                // Replaced while it was hashed (a transfer on another thread): the digest may be the old file's, so ask again.
                if (_fileSystem.GetStamp(path) == stamp && _index.Get(name) == known)
                {
                    var version = known is { IsTombstone: false } && known.Sha256 == sha256 ? known.Version : FileVersion.Unknown;
                    var record = new FileRecord(name, version, sha256, stamp.Length, Stamp: stamp);
                    _index.Put(record);
                    return Describe(record);
                }
            }
            if (attempt == MaxHashAttempts)
                throw new IOException($"File {name} kept changing while it was hashed.");
        }
    }

    /// <summary>The bytes of every stored file, as the index records them (no disk access).</summary>
    public long StoredBytes() => _index.All.Where(record => !record.IsTombstone).Sum(record => record.Length);

    /// <summary>The bytes that transfers not yet complete (or abandoned, until they go stale) hold in temporary files here.</summary>
    public long PartialBytes() =>
        _fileSystem.EnumerateFiles(Directory, "*")
            .Where(path => Path.GetFileName(path) is { } name && PartialFile.IsTempFileName(name))
            .Sum(path => _fileSystem.GetStamp(path)?.Length ?? 0);

    /// <summary>The names of every stored file, in order, without hashing them; temporary files and unsafe names are left out.</summary>
    public IReadOnlyList<string> Names() =>
        [.. _fileSystem.EnumerateFiles(Directory, "*").Select(Path.GetFileName).OfType<string>().Where(FileName.IsSafe).Order(StringComparer.Ordinal)];

    /// <summary>Every stored file, by name; temporary files and names that are not safe are never listed.</summary>
    public IReadOnlyList<StoredFile> List()
    {
        var files = new List<StoredFile>();
        foreach (var name in Names())
        {
            try
            {
                files.Add(GetInfo(name));
            }
            catch (FileNotFoundException)
            {
                // Deleted while listing: it is simply no longer stored.
            }
        }
        return files;
    }

    /// <summary>
    /// Runs when a verified copy is about to be renamed into place: it goes in only when no higher version is held, nor
    /// another copy of the same version (the same bytes are simply refreshed; copies of unknown version replace each
    /// other, the last write winning as before versions), and its index entry is written before anyone can ask for it.
    /// The entry is flushed to disk before the lock is taken: commits of other names wait for two renames, not for an fsync.
    /// </summary>
    private PartialFile.Gate CommitGate(string name, long length, string sha256, FileVersion version) => (stamp, moveIntoPlace) =>
    {
        using var entry = _index.Prepare(new FileRecord(name, version, sha256.ToLowerInvariant(), length, Stamp: stamp));
        lock (_commitLock)
        {
            if (_index.Get(name) is { } held && (held.Version > version
                    || held.Version == version && version != FileVersion.Unknown && (held.IsTombstone || held.Sha256 != sha256.ToLowerInvariant())))
                return false;
            moveIntoPlace();
            _index.Install(entry);
            return true;
        }
    };

    private StoredFile Describe(FileRecord record) => new(record.Name, FileKey.Of(record.Name, Space), record.Length, record.Sha256) { Version = record.Version };

    /// <summary>The path of a stored name; safe names cannot leave the directory, and this is checked again here.</summary>
    private string PathOf(string name)
    {
        FileName.EnsureSafe(name);
        var path = Path.GetFullPath(Path.Combine(Directory, name));
        if (!string.Equals(Path.GetDirectoryName(path), Directory, StringComparison.Ordinal))
            throw new UnsafeFileNameException(name, "it resolves outside the data directory");
        return path;
    }
}
