using System.Buffers;
using System.Collections.Concurrent;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Storage;

/// <summary>
/// A peer's files on disk: one flat data directory, one file per stored name. Writes go through
/// <see cref="PartialFile"/> (temp file, verify, atomic rename), so readers only ever see complete files.
/// One store per directory: opening a store removes the temporary files a crashed predecessor left behind,
/// except the resumable ones of transfers that may still be retried (until they are stale).
/// <para>
/// Safe for concurrent use, and used that way: its owner, a peer's file service, asks it on the peer's logical thread
/// whether a name is stored and which names are (<see cref="Exists"/>, <see cref="Names"/>), while transfers read, write,
/// hash and delete on other threads. The disk is the index: a file appears only by an atomic rename of a verified copy and
/// leaves by one delete, so every caller sees a name whole or not at all, and a reader keeps its open copy. The only
/// state in memory, the digest cache, is a concurrent dictionary whose entries are checked against the file's stamp
/// before use, so a stale entry (a file replaced or deleted meanwhile) is rehashed, never trusted.
/// </para>
/// </summary>
public sealed class FileStore
{
    private const int CopyBufferLength = 64 * 1024;

    /// <summary>How often <see cref="GetInfo"/> hashes a file that is replaced meanwhile before it gives up.</summary>
    private const int MaxHashAttempts = 8;

    // SHA-256 of files on disk, valid while length and write time are unchanged; saves rehashing on every listing.
    private readonly ConcurrentDictionary<string, (FileStamp Stamp, string Sha256)> _digests = new(StringComparer.Ordinal);

    private readonly IFileSystem _fileSystem;

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
    }

    public string Directory { get; }
    public IdSpace Space { get; }

    /// <summary>Starts storing <paramref name="name"/> from its first byte; the caller writes the content and commits.</summary>
    public PartialFile BeginStore(string name, long length, string sha256) =>
        PartialFile.Create(_fileSystem, PathOf(name), length, sha256, committed: stamp => Remember(name, stamp, sha256.ToLowerInvariant()));

    /// <summary>
    /// Starts or continues storing <paramref name="name"/> from a transfer that may be cut off and retried:
    /// the bytes an interrupted transfer of the same content left are kept (see <see cref="PartialFile.ResumeAsync(string, long, string, CancellationToken)"/>).
    /// </summary>
    public Task<PartialFile> ResumeStoreAsync(string name, long length, string sha256, CancellationToken cancellationToken) =>
        PartialFile.ResumeAsync(_fileSystem, PathOf(name), length, sha256, committed: stamp => Remember(name, stamp, sha256.ToLowerInvariant()), cancellationToken);

    /// <summary>Stores <paramref name="content"/> as <paramref name="name"/> if it has exactly the announced length and SHA-256.</summary>
    /// <exception cref="FileContentMismatchException">The content differs from what was announced; nothing was stored.</exception>
    public async Task<StoredFile> StoreAsync(string name, Stream content, long length, string sha256, CancellationToken cancellationToken)
    {
        await using (var partial = BeginStore(name, length, sha256))
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

    /// <summary>Deletes a stored file; false when there was none.</summary>
    public bool Delete(string name)
    {
        var path = PathOf(name);
        _digests.TryRemove(name, out _);
        if (!_fileSystem.FileExists(path))
            return false;
        _fileSystem.Delete(path);
        return true;
    }

    /// <summary>Name, key, length and SHA-256 of a stored file (hashed on first use, then cached).</summary>
    /// <exception cref="FileNotFoundException">No such file is stored.</exception>
    /// <exception cref="IOException">The file kept being replaced while it was hashed.</exception>
    public StoredFile GetInfo(string name)
    {
        var path = PathOf(name);
        for (var attempt = 1; ; attempt++)
        {
            if (_fileSystem.GetStamp(path) is not { } stamp)
                throw new FileNotFoundException($"File {name} is not stored here.", path);
            if (_digests.TryGetValue(name, out var known) && known.Stamp == stamp)
                return new StoredFile(name, FileKey.Of(name, Space), stamp.Length, known.Sha256);
            string sha256;
            using (var content = Open(name))
                sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
            // Replaced while it was hashed (a transfer on another thread): the digest may be the old file's, so ask again.
            if (_fileSystem.GetStamp(path) == stamp)
                return Remember(name, stamp, sha256);
            if (attempt == MaxHashAttempts)
                throw new IOException($"File {name} kept changing while it was hashed.");
        }
    }

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

    /// <summary>Caches the digest of the file whose stamp is <paramref name="stamp"/>; a file that replaced it since never matches the entry.</summary>
    private StoredFile Remember(string name, FileStamp? stamp, string sha256)
    {
        if (stamp is not { } known)
            throw new FileNotFoundException($"File {name} is not stored here.", PathOf(name));
        _digests[name] = (known, sha256);
        return new StoredFile(name, FileKey.Of(name, Space), known.Length, sha256);
    }

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
