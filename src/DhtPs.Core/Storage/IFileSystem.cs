namespace DhtPs.Core.Storage;

/// <summary>
/// The files a peer touches: its data directory and the local files it stores or fetches into. Real peers use the
/// disk (<see cref="DiskFileSystem"/>); a simulation gives each host an in-memory disk whose streams complete at once,
/// so the same storage code runs on the simulation thread.
/// </summary>
public interface IFileSystem
{
    /// <summary>Now, on the clock that stamps <see cref="FileStamp.LastWriteUtc"/>: what a file's age is measured against.</summary>
    DateTime UtcNow { get; }

    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>Creates the directory and its parents; nothing happens when it exists.</summary>
    void CreateDirectory(string path);

    /// <summary>The full paths of the files directly in <paramref name="directory"/> whose names match <paramref name="searchPattern"/> (* and ?).</summary>
    IEnumerable<string> EnumerateFiles(string directory, string searchPattern);

    /// <summary>Length and last write time of a file; null when there is none.</summary>
    FileStamp? GetStamp(string path);

    /// <summary>Opens a file for reading; it may be replaced or deleted meanwhile without disturbing the reader.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    Stream OpenRead(string path);

    /// <summary>Creates a file for writing, nobody else may open it meanwhile.</summary>
    /// <exception cref="IOException">The file exists already.</exception>
    Stream CreateNew(string path);

    /// <summary>Opens a file for reading and writing, creating it empty when there is none; nobody else may open it meanwhile.</summary>
    /// <exception cref="IOException">Someone else has it open.</exception>
    Stream OpenOrCreate(string path);

    /// <summary>Makes what was written to <paramref name="file"/> (one of this file system's streams) durable before anything else happens.</summary>
    void FlushToDisk(Stream file);

    /// <summary>Renames a file atomically, replacing <paramref name="destination"/> when it exists.</summary>
    void Move(string source, string destination);

    /// <summary>Deletes a file; nothing happens when there is none.</summary>
    void Delete(string path);

    /// <summary>The bytes free to this user where <paramref name="directory"/> lives; null when the system cannot say.</summary>
    long? AvailableBytes(string directory);
}
