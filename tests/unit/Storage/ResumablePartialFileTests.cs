using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

/// <summary>Resumable partial files: what an interrupted write keeps, what a later one reuses, and what is cleaned up.</summary>
public sealed class ResumablePartialFileTests : IDisposable
{
    private static readonly byte[] Bytes = Content(300_000);
    private static readonly string BytesSha = TestContent.Sha256(Bytes);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Content(int length, int seed = 1) => TestContent.Random(length, seed);

    private string Destination => _temp.File("2012.bin");

    [Fact]
    public async Task An_interrupted_write_keeps_its_bytes_and_the_next_write_of_the_same_content_continues_from_them()
    {
        await using (var first = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha, default))
        {
            Assert.Equal(0, first.ResumedFrom);
            await first.WriteAsync(Bytes.AsMemory(0, 100_000), default);
        }
        var temp = PartialFile.ResumableTempPath(Destination, Bytes.Length, BytesSha);
        Assert.Equal([Path.GetFileName(temp)], _temp.FileNames());
        Assert.True(PartialFile.IsResumableTempFileName(Path.GetFileName(temp)));

        await using (var second = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha.ToUpperInvariant(), default))
        {
            Assert.Equal(temp, second.TempPath);
            Assert.Equal((100_000L, 100_000L), (second.ResumedFrom, second.BytesWritten));
            await second.WriteAsync(Bytes.AsMemory(100_000), default);
            await second.CommitAsync(default);
        }

        Assert.Equal(Bytes, await File.ReadAllBytesAsync(Destination));
        Assert.Equal(["2012.bin"], _temp.FileNames());
    }

    [Fact]
    public async Task A_corrupt_held_prefix_is_caught_by_the_sha256_of_the_whole_file_and_deleted()
    {
        var corrupt = Bytes[..1000];
        corrupt[999] ^= 1;
        await File.WriteAllBytesAsync(PartialFile.ResumableTempPath(Destination, Bytes.Length, BytesSha), corrupt);

        await using (var resumed = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha, default))
        {
            Assert.Equal(1000, resumed.ResumedFrom);
            await resumed.WriteAsync(Bytes.AsMemory(1000), default);
            var error = await Assert.ThrowsAsync<FileContentMismatchException>(() => resumed.CommitAsync(default));
            Assert.Contains("resumed after 1000 bytes", error.Message);
        }

        Assert.Empty(_temp.FileNames());
        await using var next = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha, default);
        Assert.Equal(0, next.ResumedFrom);
    }

    [Fact]
    public async Task More_bytes_than_announced_delete_the_temp_file_even_though_it_is_resumable()
    {
        await using (var partial = await PartialFile.ResumeAsync(Destination, 10, TestContent.Sha256(new byte[10]), default))
        {
            await partial.WriteAsync(new byte[6], default);
            await Assert.ThrowsAsync<FileContentMismatchException>(() => partial.WriteAsync(new byte[6], default).AsTask());
        }
        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public void Another_content_or_another_destination_gets_its_own_temp_file()
    {
        var same = PartialFile.ResumableTempPath(Destination, Bytes.Length, BytesSha);
        Assert.Equal(same, PartialFile.ResumableTempPath(Destination, Bytes.Length, BytesSha.ToUpperInvariant()));
        Assert.NotEqual(same, PartialFile.ResumableTempPath(Destination, Bytes.Length, TestContent.Sha256(Content(300_000, seed: 2))));
        Assert.NotEqual(same, PartialFile.ResumableTempPath(Destination, Bytes.Length + 1, BytesSha));
        Assert.NotEqual(same, PartialFile.ResumableTempPath(_temp.File("2013.bin"), Bytes.Length, BytesSha));
        Assert.False(FileName.IsSafe(Path.GetFileName(same))); // never taken for a stored file
    }

    [Fact]
    public async Task A_write_of_content_whose_temp_file_is_in_use_starts_afresh_in_a_private_one()
    {
        await using var busy = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha, default);
        await busy.WriteAsync(Bytes.AsMemory(0, 5000), default);

        await using (var concurrent = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha, default))
        {
            Assert.NotEqual(busy.TempPath, concurrent.TempPath);
            Assert.Equal(0, concurrent.ResumedFrom);
            await concurrent.WriteAsync(Bytes, default);
            await concurrent.CommitAsync(default);
        }

        Assert.Equal(Bytes, await File.ReadAllBytesAsync(Destination));
    }

    [Fact]
    public async Task A_store_that_opens_removes_crash_leftovers_and_stale_resumable_files_but_keeps_fresh_ones()
    {
        var fresh = PartialFile.ResumableTempPath(_temp.File("2012"), 10, TestContent.Sha256(new byte[10]));
        var stale = PartialFile.ResumableTempPath(_temp.File("2013"), 10, TestContent.Sha256(new byte[10]));
        await File.WriteAllBytesAsync(fresh, new byte[4]);
        await File.WriteAllBytesAsync(stale, new byte[4]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - PartialFile.StaleAfter - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow - PartialFile.StaleAfter + TimeSpan.FromMinutes(10));
        await File.WriteAllTextAsync(_temp.File(".dhtps-0123456789abcdef.partial"), "left by a crash");
        await File.WriteAllTextAsync(_temp.File("old-notes.txt"), "not ours");
        File.SetLastWriteTimeUtc(_temp.File("old-notes.txt"), DateTime.UtcNow.AddDays(-30));

        var store = new FileStore(_temp.Path, new IdSpace(8));

        Assert.Equal([Path.GetFileName(fresh), "old-notes.txt"], _temp.FileNames());
        Assert.Equal(["old-notes.txt"], store.List().Select(file => file.Name));
        await using var resumed = await store.ResumeStoreAsync("2012", 10, TestContent.Sha256(new byte[10]), FileVersion.Unknown, default);
        Assert.Equal(4, resumed.ResumedFrom);
    }

    [Fact]
    public async Task Starting_a_resumable_write_removes_stale_ones_beside_it()
    {
        var stale = PartialFile.ResumableTempPath(_temp.File("old.bin"), 10, TestContent.Sha256(new byte[10]));
        await File.WriteAllBytesAsync(stale, new byte[4]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));

        await using var partial = await PartialFile.ResumeAsync(Destination, Bytes.Length, BytesSha, default);
        await partial.WriteAsync(Bytes.AsMemory(0, 1), default);

        Assert.Equal([Path.GetFileName(partial.TempPath)], _temp.FileNames());
    }
}
