using System.Security.Cryptography;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Storage;

/// <summary>
/// The FileStore's discipline (architecture.md section 0): its owner asks it on the logical thread while transfers read,
/// write and delete on others. Here writers replace and delete one name while readers list, describe and read it, all at
/// once on the real disk: every caller sees a whole version or no file, and a description never mixes two versions.
/// </summary>
public sealed class FileStoreConcurrencyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task Concurrent_replacements_deletions_listings_and_reads_of_one_name_only_ever_see_whole_versions()
    {
        var store = new FileStore(_temp.Path, new IdSpace(8));
        // Each version has a length of its own, so a description's length says which version its digest must be.
        byte[][] versions = [.. Enumerable.Range(1, 4).Select(i => Enumerable.Repeat((byte)i, 16 * 1024 * i).ToArray())];
        var digestOfLength = versions.ToDictionary(v => (long)v.Length, Sha256);
        using var stop = new CancellationTokenSource();
        var (descriptions, reads) = (0, 0);

        var writers = Enumerable.Range(0, 2).Select(writer => Task.Run(async () =>
        {
            for (var i = writer; !stop.IsCancellationRequested; i++)
            {
                var version = versions[i % versions.Length];
                try
                {
                    await store.StoreAsync("0012", new MemoryStream(version), version.Length, Sha256(version), FileVersion.Unknown, CancellationToken.None);
                }
                catch (FileNotFoundException)
                {
                    // Kept, then deleted by the other writer before this one could describe it.
                }
                if (i % 7 == 0)
                    store.Delete("0012");
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.All(store.Names(), name => Assert.Equal("0012", name));   // never a temporary file
                try
                {
                    var described = store.GetInfo("0012");
                    Assert.Equal(digestOfLength[described.Length], described.Sha256);
                    Interlocked.Increment(ref descriptions);
                    using var content = store.Open("0012");
                    using var copy = new MemoryStream();
                    content.CopyTo(copy);
                    Assert.Equal(digestOfLength[copy.Length], Sha256(copy.ToArray()));
                    Interlocked.Increment(ref reads);
                }
                catch (FileNotFoundException)
                {
                    // Deleted, or not stored yet: no file is an answer too.
                }
            }
        })).ToArray();

        // Two seconds of contention at least, and until the readers saw the file both ways: under a loaded test run the
        // pool may start them late.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Eventually.Holds(() => readers.Concat(writers).Any(task => task.IsFaulted) || Volatile.Read(ref descriptions) > 0 && Volatile.Read(ref reads) > 0,
            "the readers described and read the file (or one of the tasks failed)", timeoutSeconds: 30);
        stop.Cancel();
        await Task.WhenAll([.. writers, .. readers]);
        Assert.True(descriptions > 0 && reads > 0, $"{descriptions} descriptions and {reads} reads happened");
    }
}
