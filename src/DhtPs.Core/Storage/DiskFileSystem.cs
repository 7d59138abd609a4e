namespace DhtPs.Core.Storage;

/// <summary>The real disk, through asynchronous file streams.</summary>
public sealed class DiskFileSystem : IFileSystem
{
    public static DiskFileSystem Instance { get; } = new();

    private DiskFileSystem()
    {
    }

    public DateTime UtcNow => DateTime.UtcNow;

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IEnumerable<string> EnumerateFiles(string directory, string searchPattern) => Directory.EnumerateFiles(directory, searchPattern);

    public FileStamp? GetStamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : null;
    }

    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);

    // Unbuffered: callers write whole chunks, a second buffer would only copy them again.
    public Stream CreateNew(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);

    public Stream OpenOrCreate(string path) =>
        new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);

    public void FlushToDisk(Stream file) => ((FileStream)file).Flush(flushToDisk: true);

    public void Move(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void Delete(string path) => File.Delete(path);

    public long? AvailableBytes(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // Not knowing is no reason to refuse: the write itself still fails cleanly on a full disk.
        }
    }
}
