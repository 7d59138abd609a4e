using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

/// <summary>Which copies are fsynced before their rename: a peer's stored copy is; a copy fetched for the user is not.</summary>
public sealed class CopyDurabilityTests : IDisposable
{
    private static readonly byte[] Bytes = TestContent.Random(4096, seed: 3);
    private static readonly string BytesSha = TestContent.Sha256(Bytes);

    private readonly TempDirectory _temp = new();
    private readonly SyncRecordingFileSystem _disk = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_stored_copy_is_flushed_to_disk_before_it_is_renamed_into_place()
    {
        var store = new FileStore(_temp.Path, new IdSpace(8), _disk);

        await using (var partial = store.BeginStore("4103", Bytes.Length, BytesSha, new FileVersion(1, 7)))
        {
            await partial.WriteAsync(Bytes, default);
            await partial.CommitAsync(default);
        }

        Assert.Contains(_disk.Synced, path => PartialFile.IsTempFileName(Path.GetFileName(path)));
        await using var stored = store.Open("4103");
        var kept = new byte[Bytes.Length];
        await stored.ReadExactlyAsync(kept);
        Assert.Equal(Bytes, kept);
    }

    [Fact]
    public async Task A_fetched_copy_is_renamed_into_place_whole_and_verified_without_an_fsync()
    {
        var destination = _temp.File("received_4103");

        await using (var partial = PartialFile.Create(destination, Bytes.Length, BytesSha, _disk))
        {
            await partial.WriteAsync(Bytes, default);
            await partial.CommitAsync(default);
        }
        await using (var resumed = await PartialFile.ResumeAsync(_disk, _temp.File("resumed_4103"), Bytes.Length, BytesSha, default))
        {
            await resumed.WriteAsync(Bytes, default);
            await resumed.CommitAsync(default);
        }

        Assert.Empty(_disk.Synced);
        Assert.Equal(Bytes, await File.ReadAllBytesAsync(destination));
        Assert.Equal(Bytes, await File.ReadAllBytesAsync(_temp.File("resumed_4103")));
    }

    /// <summary>The disk, recording the files it was asked to flush to disk.</summary>
    private sealed class SyncRecordingFileSystem : IFileSystem
    {
        private readonly IFileSystem _disk = DiskFileSystem.Instance;

        public List<string> Synced { get; } = [];

        public void FlushToDisk(Stream file)
        {
            Synced.Add(((FileStream)file).Name);
            _disk.FlushToDisk(file);
        }

        public DateTime UtcNow => _disk.UtcNow;
        public bool FileExists(string path) => _disk.FileExists(path);
        public bool DirectoryExists(string path) => _disk.DirectoryExists(path);
        public void CreateDirectory(string path) => _disk.CreateDirectory(path);
        public IEnumerable<string> EnumerateFiles(string directory, string searchPattern) => _disk.EnumerateFiles(directory, searchPattern);
        public FileStamp? GetStamp(string path) => _disk.GetStamp(path);
        public Stream OpenRead(string path) => _disk.OpenRead(path);
        public Stream CreateNew(string path) => _disk.CreateNew(path);
        public Stream OpenOrCreate(string path) => _disk.OpenOrCreate(path);
        public void Move(string source, string destination) => _disk.Move(source, destination);
        public void Delete(string path) => _disk.Delete(path);
        public long? AvailableBytes(string directory) => _disk.AvailableBytes(directory);
    }
}
