using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Peer.FileServing;

/// <summary>A disk whose fsyncs wait while the test keeps <see cref="Gate"/> shut, to see what a peer does while its write is under way.</summary>
internal sealed class GatedFileSystem(IFileSystem disk) : IFileSystem
{
    private readonly ManualResetEventSlim _open = new(initialState: true);
    private int _waiting;

    /// <summary>Shuts the gate: every fsync from now on waits until it is opened again.</summary>
    public void Shut() => _open.Reset();

    public void Open() => _open.Set();

    /// <summary>How many fsyncs are waiting at the shut gate.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void FlushToDisk(Stream file)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            _open.Wait(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        disk.FlushToDisk(file);
    }

    public DateTime UtcNow => disk.UtcNow;
    public bool FileExists(string path) => disk.FileExists(path);
    public bool DirectoryExists(string path) => disk.DirectoryExists(path);
    public void CreateDirectory(string path) => disk.CreateDirectory(path);
    public IEnumerable<string> EnumerateFiles(string directory, string searchPattern) => disk.EnumerateFiles(directory, searchPattern);
    public FileStamp? GetStamp(string path) => disk.GetStamp(path);
    public Stream OpenRead(string path) => disk.OpenRead(path);
    public Stream CreateNew(string path) => disk.CreateNew(path);
    public Stream OpenOrCreate(string path) => disk.OpenOrCreate(path);
    public void Move(string source, string destination) => disk.Move(source, destination);
    public void Delete(string path) => disk.Delete(path);
    public long? AvailableBytes(string directory) => disk.AvailableBytes(directory);
}
