using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

public sealed class FileStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FileStore _store;

    public FileStoreTests() => _store = new FileStore(_temp.Path, new IdSpace(8));

    public void Dispose() => _temp.Dispose();

    private static byte[] Content(int length, int seed = 1) => TestContent.Random(length, seed);

    [Fact]
    public async Task A_stored_file_reads_back_identical_and_is_listed_with_key_length_and_sha256()
    {
        var bytes = Content(200_000);
        var stored = await _store.StoreAsync("2012", new MemoryStream(bytes), bytes.Length, TestContent.Sha256(bytes), FileVersion.Unknown, default);

        Assert.Equal(new StoredFile("2012", 220, bytes.Length, TestContent.Sha256(bytes)), stored);
        using (var reader = _store.Open("2012"))
            Assert.Equal(bytes, await ReadAllAsync(reader));
        Assert.Equal([stored], _store.List());
        Assert.Equal(["2012"], _temp.FileNames());
    }

    [Fact]
    public void The_data_directory_is_created_when_missing()
    {
        var nested = Path.Combine(_temp.Path, "peer-8", "files");
        var store = new FileStore(nested + Path.DirectorySeparatorChar, new IdSpace(8));
        Assert.True(Directory.Exists(nested));
        Assert.Equal(nested, store.Directory);
    }

    [Fact]
    public async Task A_file_put_in_the_directory_by_hand_is_listed_with_its_real_sha256()
    {
        var bytes = Content(1000);
        await File.WriteAllBytesAsync(_temp.File("notes.txt"), bytes);
        var listed = Assert.Single(_store.List());
        Assert.Equal(new StoredFile("notes.txt", FileKey.Of("notes.txt", _store.Space), 1000, TestContent.Sha256(bytes)), listed);

        var changed = Content(1000, seed: 2);
        await File.WriteAllBytesAsync(_temp.File("notes.txt"), changed);
        File.SetLastWriteTimeUtc(_temp.File("notes.txt"), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(TestContent.Sha256(changed), _store.GetInfo("notes.txt").Sha256);
    }

    [Theory]
    [InlineData(-1)] // shorter than announced
    [InlineData(+1)] // longer than announced
    [InlineData(0)]  // right length, wrong SHA-256
    public async Task Content_that_differs_from_the_announcement_leaves_no_file_and_no_temp_file(int lengthError)
    {
        var bytes = Content(100_000);
        var announcedSha = lengthError == 0 ? TestContent.Sha256(Content(100_000, seed: 9)) : TestContent.Sha256(bytes);
        await Assert.ThrowsAsync<FileContentMismatchException>(() =>
            _store.StoreAsync("2067", new MemoryStream(bytes), bytes.Length - lengthError, announcedSha, FileVersion.Unknown, default));
        Assert.False(_store.Exists("2067"));
        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public async Task A_cancelled_store_leaves_no_temp_file()
    {
        using var cancel = new CancellationTokenSource();
        var endless = new EndlessStream(onFirstRead: cancel.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _store.StoreAsync("4103", endless, 1 << 30, TestContent.Sha256([]), FileVersion.Unknown, cancel.Token));
        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public async Task A_new_copy_replaces_the_old_one_atomically_and_an_open_reader_keeps_the_old_bytes()
    {
        var old = Content(50_000, seed: 1);
        var fresh = Content(70_000, seed: 2);
        await _store.StoreAsync("2012", new MemoryStream(old), old.Length, TestContent.Sha256(old), FileVersion.Unknown, default);
        using var reader = _store.Open("2012");

        await _store.StoreAsync("2012", new MemoryStream(fresh), fresh.Length, TestContent.Sha256(fresh), FileVersion.Unknown, default);

        Assert.Equal(old, await ReadAllAsync(reader));
        using (var after = _store.Open("2012"))
            Assert.Equal(fresh, await ReadAllAsync(after));
        Assert.Equal(TestContent.Sha256(fresh), _store.GetInfo("2012").Sha256);
    }

    [Fact]
    public async Task A_failed_replacement_keeps_the_old_copy()
    {
        var old = Content(5000);
        await _store.StoreAsync("2012", new MemoryStream(old), old.Length, TestContent.Sha256(old), FileVersion.Unknown, default);
        await Assert.ThrowsAsync<FileContentMismatchException>(() =>
            _store.StoreAsync("2012", new MemoryStream(Content(5000, seed: 3)), 5000, TestContent.Sha256(old), FileVersion.Unknown, default));
        using var reader = _store.Open("2012");
        Assert.Equal(old, await ReadAllAsync(reader));
        Assert.Equal(["2012"], _temp.FileNames());
    }

    [Fact]
    public async Task Temp_files_of_a_store_in_progress_are_never_listed()
    {
        await using var partial = _store.BeginStore("big.iso", 10, TestContent.Sha256(new byte[10]), FileVersion.Unknown);
        await partial.WriteAsync(new byte[4], default);
        Assert.Contains(_temp.FileNames(), PartialFile.IsTempFileName);
        Assert.Empty(_store.List());
        Assert.False(_store.Exists("big.iso"));
    }

    [Fact]
    public async Task Orphaned_temp_files_are_removed_when_a_store_opens_and_stored_files_are_kept()
    {
        var bytes = Content(10);
        await _store.StoreAsync("2012", new MemoryStream(bytes), bytes.Length, TestContent.Sha256(bytes), FileVersion.Unknown, default);
        await File.WriteAllTextAsync(_temp.File(".dhtps-0123456789abcdef.partial"), "left by a crash");
        await File.WriteAllTextAsync(_temp.File(".dhtps-fedcba9876543210.partial"), "");

        var reopened = new FileStore(_temp.Path, new IdSpace(8));

        Assert.Equal(["2012"], _temp.FileNames());
        Assert.Equal(bytes.Length, Assert.Single(reopened.List()).Length);
    }

    [Fact]
    public async Task Delete_removes_a_file_and_reports_whether_there_was_one()
    {
        await _store.StoreAsync("2012", new MemoryStream([1, 2, 3]), 3, TestContent.Sha256([1, 2, 3]), FileVersion.Unknown, default);
        Assert.True(_store.Exists("2012"));
        Assert.True(_store.Delete("2012"));
        Assert.False(_store.Exists("2012"));
        Assert.False(_store.Delete("2012"));
        Assert.Throws<FileNotFoundException>(() => _store.Open("2012"));
        Assert.Throws<FileNotFoundException>(() => _store.GetInfo("2012"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("..")]
    [InlineData("sub/file")]
    [InlineData(".dhtps-0123456789abcdef.partial")]
    public async Task Every_operation_refuses_an_unsafe_name(string name)
    {
        Assert.Throws<UnsafeFileNameException>(() => _store.Open(name));
        Assert.Throws<UnsafeFileNameException>(() => _store.Exists(name));
        Assert.Throws<UnsafeFileNameException>(() => _store.Delete(name));
        Assert.Throws<UnsafeFileNameException>(() => _store.GetInfo(name));
        Assert.Throws<UnsafeFileNameException>(() => _store.BeginStore(name, 0, TestContent.Sha256([]), FileVersion.Unknown));
        await Assert.ThrowsAsync<UnsafeFileNameException>(() => _store.StoreAsync(name, new MemoryStream(), 0, TestContent.Sha256([]), FileVersion.Unknown, default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_temp.Path)!, "escape"));
    }

    [Fact]
    public async Task A_partial_file_commits_to_any_destination_path_and_an_abandoned_one_leaves_nothing()
    {
        var bytes = Content(3000);
        var destination = _temp.File("received_4103");
        await using (var partial = PartialFile.Create(destination, bytes.Length, TestContent.Sha256(bytes).ToUpperInvariant()))
        {
            await partial.WriteAsync(bytes, default);
            await partial.CommitAsync(default);
        }
        Assert.Equal(bytes, await File.ReadAllBytesAsync(destination));

        await using (var abandoned = PartialFile.Create(_temp.File("received_2012"), bytes.Length, TestContent.Sha256(bytes)))
            await abandoned.WriteAsync(bytes.AsMemory(0, 100), default);
        Assert.Equal(["received_4103"], _temp.FileNames());
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Zeros forever; runs a callback on the first read so a test can cancel mid-stream.</summary>
    private sealed class EndlessStream(Action onFirstRead) : Stream
    {
        private bool _read;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_read)
            {
                _read = true;
                onFirstRead();
            }
            Array.Clear(buffer, offset, count);
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
