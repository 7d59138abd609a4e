using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Simulation;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>The simulated disk behaves like the real one where the store relies on it, and never waits.</summary>
public sealed class InMemoryFileSystemTests
{
    private readonly SimulatedTimeProvider _clock = new();
    private readonly InMemoryFileSystem _disk;
    private readonly FileStore _store;

    public InMemoryFileSystemTests()
    {
        _disk = new InMemoryFileSystem(_clock);
        _store = new FileStore("/data", new IdSpace(8), _disk);
    }

    private static (byte[] Content, string Sha256) Content(int length)
    {
        var content = new byte[length];
        new Random(length).NextBytes(content);
        return (content, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)));
    }

    [Fact]
    public void A_store_completes_synchronously_and_reads_back_identical()
    {
        var (content, sha256) = Content(100_000);
        var storing = _store.StoreAsync("2012", new MemoryStream(content), content.Length, sha256, FileVersion.Unknown, CancellationToken.None);
        Assert.True(storing.IsCompletedSuccessfully);
        Assert.Equal(["2012"], _store.List().Select(f => f.Name));
        Assert.Equal(content, _disk.ReadAllBytes(Path.GetFullPath("/data/2012")));
        using var reader = _store.Open("2012");
        Assert.Equal(content, new BinaryReader(reader).ReadBytes(content.Length + 1));
    }

    [Fact]
    public async Task A_cut_off_resumable_write_keeps_its_bytes_and_the_next_one_continues_after_them()
    {
        var (content, sha256) = Content(1000);
        await using (var first = await _store.ResumeStoreAsync("2012", content.Length, sha256, FileVersion.Unknown, CancellationToken.None))
            await first.WriteAsync(content.AsMemory(0, 400), CancellationToken.None);
        Assert.False(_store.Exists("2012"));

        await using var second = await _store.ResumeStoreAsync("2012", content.Length, sha256, FileVersion.Unknown, CancellationToken.None);
        Assert.Equal(400, second.ResumedFrom);
        // While it is open, another writer of the same content cannot share its temporary file.
        await using (var third = await _store.ResumeStoreAsync("2012", content.Length, sha256, FileVersion.Unknown, CancellationToken.None))
            Assert.Equal(0, third.ResumedFrom);
        await second.WriteAsync(content.AsMemory(400), CancellationToken.None);
        await second.CommitAsync(CancellationToken.None);
        Assert.Equal(content, _disk.ReadAllBytes(Path.GetFullPath("/data/2012")));
        Assert.Equal([Path.GetFullPath("/data/2012")], _disk.EnumerateFiles(Path.GetFullPath("/data"), "*"));
    }

    [Fact]
    public async Task A_reader_keeps_the_content_it_opened_while_the_file_is_replaced()
    {
        var (old, oldSha) = Content(10);
        var (replacement, newSha) = Content(20);
        await _store.StoreAsync("2012", new MemoryStream(old), old.Length, oldSha, FileVersion.Unknown, CancellationToken.None);
        using var reader = _store.Open("2012");
        await _store.StoreAsync("2012", new MemoryStream(replacement), replacement.Length, newSha, FileVersion.Unknown, CancellationToken.None);
        Assert.Equal(old, new BinaryReader(reader).ReadBytes(100));
        Assert.Equal(newSha, _store.GetInfo("2012").Sha256);
    }

    [Fact]
    public async Task Stale_resumable_files_are_measured_on_the_simulated_clock()
    {
        var (content, sha256) = Content(10);
        await using (var partial = await _store.ResumeStoreAsync("2012", content.Length, sha256, FileVersion.Unknown, CancellationToken.None))
            await partial.WriteAsync(content.AsMemory(0, 5), CancellationToken.None);
        var directory = Path.GetFullPath("/data");

        _clock.RunFor(PartialFile.StaleAfter - TimeSpan.FromMinutes(1));
        PartialFile.DeleteStale(_disk, directory, _disk.UtcNow);
        Assert.Single(_disk.EnumerateFiles(directory, "*"));

        _clock.RunFor(TimeSpan.FromMinutes(1));
        PartialFile.DeleteStale(_disk, directory, _disk.UtcNow);
        Assert.Empty(_disk.EnumerateFiles(directory, "*"));
    }
}
