using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

/// <summary>Versions, tombstones and the persistent index of a <see cref="FileStore"/> (issue 11), on a real directory.</summary>
public sealed class FileStoreVersionTests : IDisposable
{
    private static readonly IdSpace Space = new(8);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private FileStore Open() => new(_temp.Path, Space);

    private static async Task<StoredFile> StoreAsync(FileStore store, string name, byte[] bytes, FileVersion version) =>
        await store.StoreAsync(name, new MemoryStream(bytes), bytes.Length, TestContent.Sha256(bytes), version, default);

    private static FileVersion V(long counter, ulong writer = 2) => new(counter, writer);

    [Fact]
    public async Task A_reopened_store_knows_every_version_and_digest_it_recorded()
    {
        var bytes = TestContent.Random(5000, 1);
        await StoreAsync(Open(), "4103", bytes, V(7, 9));

        var reopened = Open();
        var record = reopened.Find("4103");
        Assert.NotNull(record);
        Assert.Equal(V(7, 9), record.Version);
        Assert.Equal(TestContent.Sha256(bytes), record.Sha256);
        Assert.Equal(V(7, 9), reopened.GetInfo("4103").Version);
        Assert.Equal(7, reopened.HighestCounter);
        Assert.Equal(["4103"], reopened.Names());
    }

    [Fact]
    public async Task A_lower_version_arriving_late_is_dropped_and_the_higher_one_stays()
    {
        var store = Open();
        var newer = TestContent.Random(100, 1);
        var older = TestContent.Random(100, 2);
        await StoreAsync(store, "f", newer, V(5));

        await using (var partial = store.BeginStore("f", older.Length, TestContent.Sha256(older), V(4)))
        {
            await partial.WriteAsync(older, default);
            await partial.CommitAsync(default);
            Assert.True(partial.Superseded);
        }

        Assert.Equal(V(5), store.GetInfo("f").Version);
        Assert.Equal(newer, await File.ReadAllBytesAsync(Path.Combine(_temp.Path, "f")));
        Assert.Equal(["f"], _temp.FileNames()); // the dropped copy left no temporary file
    }

    [Fact]
    public async Task Another_copy_of_the_same_version_never_replaces_one_held_but_copies_of_unknown_version_replace_each_other()
    {
        var store = Open();
        var first = TestContent.Random(100, 1);
        var other = TestContent.Random(100, 2);
        await StoreAsync(store, "same", first, V(3));
        Assert.Equal(TestContent.Sha256(first), (await StoreAsync(store, "same", other, V(3))).Sha256);

        await StoreAsync(store, "legacy", first, FileVersion.Unknown);
        Assert.Equal(TestContent.Sha256(other), (await StoreAsync(store, "legacy", other, FileVersion.Unknown)).Sha256);
    }

    [Fact]
    public async Task A_tombstone_beats_every_older_write_survives_a_restart_and_loses_to_a_newer_one()
    {
        var store = Open();
        var bytes = TestContent.Random(100, 1);
        await StoreAsync(store, "gone", bytes, V(1));
        var removedAt = DateTimeOffset.UtcNow;

        Assert.True(store.Remove("gone", V(2), removedAt));
        Assert.False(store.Exists("gone"));
        Assert.False(store.Remove("gone", V(2), removedAt)); // not twice at the same version

        var reopened = Open();
        Assert.True(reopened.Find("gone")?.IsTombstone);
        await Assert.ThrowsAsync<FileNotFoundException>(() => StoreAsync(reopened, "gone", bytes, V(1))); // a stale copy comes back: refused
        Assert.False(reopened.Exists("gone"));
        Assert.Empty(reopened.Names());

        await StoreAsync(reopened, "gone", bytes, V(3)); // stored again after the removal: wins
        Assert.True(reopened.Exists("gone"));
        Assert.False(reopened.Find("gone")?.IsTombstone);
    }

    [Fact]
    public void Tombstones_expire_once_older_than_the_given_moment_and_only_then()
    {
        var store = Open();
        var now = DateTimeOffset.UtcNow;
        store.Remove("old", V(1), now - TimeSpan.FromDays(2));
        store.Remove("young", V(1), now - TimeSpan.FromMinutes(1));

        Assert.Equal(["old"], store.ExpireTombstones(now - TimeSpan.FromDays(1)));
        Assert.Null(Open().Find("old"));
        Assert.True(Open().Find("young")?.IsTombstone);
    }

    [Fact]
    public async Task Bytes_that_rot_behind_the_index_keep_their_recorded_digest_so_a_reader_can_tell()
    {
        var store = Open();
        var bytes = TestContent.Random(4000, 1);
        await StoreAsync(store, "rot", bytes, V(4));
        var path = Path.Combine(_temp.Path, "rot");
        var written = File.GetLastWriteTimeUtc(path);
        var rotten = (byte[])bytes.Clone();
        rotten[10] ^= 0xff;
        await File.WriteAllBytesAsync(path, rotten);
        File.SetLastWriteTimeUtc(path, written);

        var info = Open().GetInfo("rot");
        Assert.Equal(TestContent.Sha256(bytes), info.Sha256); // what was stored, not what the disk holds now
        Assert.Equal(V(4), info.Version);
    }

    [Fact]
    public async Task A_file_changed_visibly_behind_the_index_is_hashed_again_and_its_version_is_no_longer_known()
    {
        var store = Open();
        await StoreAsync(store, "edited", TestContent.Random(4000, 1), V(4));
        var changed = TestContent.Random(4100, 2);
        await File.WriteAllBytesAsync(Path.Combine(_temp.Path, "edited"), changed);

        var info = Open().GetInfo("edited");
        Assert.Equal(TestContent.Sha256(changed), info.Sha256);
        Assert.Equal(FileVersion.Unknown, info.Version);
    }

    [Fact]
    public async Task Opening_drops_index_entries_whose_bytes_are_gone_and_entries_nobody_can_read()
    {
        await StoreAsync(Open(), "lost", TestContent.Random(100, 1), V(1));
        File.Delete(Path.Combine(_temp.Path, "lost"));
        var index = Path.Combine(_temp.Path, FileIndex.DirectoryName);
        await File.WriteAllTextAsync(Path.Combine(index, "0123456789abcdef0123456789abcdef.json"), "{ not json");

        var reopened = Open();
        Assert.Null(reopened.Find("lost"));
        Assert.Empty(Directory.GetFiles(index));
        Assert.Empty(reopened.Records());
    }

    [Fact]
    public void Versions_order_by_counter_then_by_writer_and_print_as_counter_dot_writer()
    {
        Assert.True(V(2, 1) > V(1, 200));
        Assert.True(V(2, 3) > V(2, 1));
        Assert.True(FileVersion.Unknown < V(0, 1));
        Assert.Equal("7.2", V(7, 2).ToString());
        Assert.Equal(V(8, 5), FileVersion.After(7, 5));
    }
}
