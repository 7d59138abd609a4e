using System.Collections.Concurrent;
using System.Security.Cryptography;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>
/// Resumed transfers between two real peers on loopback sockets (ring 7 → 15 → 7; key 7, the file 4103,
/// belongs to peer 7): a cancelled fetch run again, and a store that retries past a corrupt held prefix.
/// </summary>
public sealed class ResumableFileTests : IAsyncLifetime
{
    private const string Name = "4103";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Content = Bytes(4 * 1024 * 1024 + 777);
    private static readonly string ContentSha = Convert.ToHexStringLower(SHA256.HashData(Content));

    private readonly TempDirectory _temp = new();
    private readonly ConcurrentQueue<DhtEvent> _events = new();
    private PeerNode _seven = null!;
    private PeerNode _fifteen = null!;

    private static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        new Random(4103).NextBytes(bytes);
        return bytes;
    }

    public async Task InitializeAsync()
    {
        _seven = await StartAsync(7);
        _fifteen = await StartAsync(15);
        await _fifteen.JoinAsync(new PeerLocator(_seven.Id, _seven.Contact.ToEndPoint()), Timeout);
        await Eventually.Holds(() => _seven.Snapshot.Successors.FirstOrDefault() == 15 && _seven.Snapshot.Predecessors.FirstOrDefault() == 15
            && _fifteen.Snapshot.Predecessors.FirstOrDefault() == 7, "peers 7 and 15 form a ring");
        Directory.CreateDirectory(_temp.File("local"));
        await File.WriteAllBytesAsync(LocalPath, Content);
    }

    public async Task DisposeAsync()
    {
        await _fifteen.StopAsync();
        await _seven.StopAsync();
        _temp.Dispose();
    }

    private string LocalPath => Path.Combine(_temp.File("local"), Name);

    private async Task<PeerNode> StartAsync(ulong id)
    {
        var peer = await PeerNode.StartAsync(new PeerOptions { Id = id, IdBits = 8, Port = 0, PingInterval = TimeSpan.FromMilliseconds(200), DataPath = _temp.File($"peer-{id}") });
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        return peer;
    }

    private string[] EventsOf(PeerNode peer, DhtEventKind kind) => [.. _events.Where(e => e.PeerId == peer.Id && e.Kind == kind).Select(e => e.Message)];

    private static string[] FileNamesIn(string directory) => [.. Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_fetch_cancelled_midway_and_run_again_resumes_where_it_stopped_and_ends_byte_identical()
    {
        Assert.Equal(7ul, (await _seven.StoreAsync(LocalPath, Name, progress: null, Timeout, default)).StoredAt);
        var downloads = Directory.CreateDirectory(_temp.File("downloads")).FullName;
        var destination = Path.Combine(downloads, Name);

        using (var cancel = new CancellationTokenSource())
        {
            var cancelling = new Progress(report =>
            {
                if (report.BytesDone >= 1024 * 1024)
                    cancel.Cancel(); // as Ctrl+C on Get-DhtFile once some bytes have arrived
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _fifteen.FetchAsync(Name, destination, cancelling, Timeout, cancel.Token));
        }
        await Eventually.Holds(() => EventsOf(_fifteen, DhtEventKind.FileTransferFailed).Length == 1, "the cancelled receive has ended");

        var temp = PartialFile.ResumableTempPath(destination, Content.Length, ContentSha);
        Assert.Equal([Path.GetFileName(temp)], FileNamesIn(downloads));
        var held = new FileInfo(temp).Length;
        // What reached the disk: the chunk being written when the cancel came may be missing.
        Assert.InRange(held, FileSender.ChunkLength, Content.Length - 1);

        var reports = new List<TransferProgress>();
        var fetched = await _fifteen.FetchAsync(Name, destination, new Progress(reports.Add), Timeout, default);

        Assert.Equal([$"Resuming File {Name} at {held} of {Content.Length} bytes from Peer 7"], EventsOf(_fifteen, DhtEventKind.FileResuming));
        Assert.All(reports, report => Assert.True(report.BytesDone > held, $"progress {report.BytesDone} starts after the {held} bytes held"));
        Assert.Equal(new TransferProgress(Name, Content.Length, Content.Length), reports[^1]);
        Assert.Equal((7ul, (long)Content.Length, ContentSha), (fetched.StoredAt, fetched.Length, fetched.Sha256));
        Assert.Equal(Content, await File.ReadAllBytesAsync(destination));
        Assert.Equal([Name], FileNamesIn(downloads));
    }

    [Fact]
    public async Task A_store_whose_owner_holds_a_corrupt_prefix_fails_once_and_succeeds_on_the_retry_from_zero()
    {
        var corrupt = Content[..(2 * FileSender.ChunkLength)];
        corrupt[^1] ^= 0xFF;
        var ownerTemp = PartialFile.ResumableTempPath(Path.Combine(_seven.Files.Directory, Name), Content.Length, ContentSha);
        await File.WriteAllBytesAsync(ownerTemp, corrupt);

        var stored = await _fifteen.StoreAsync(LocalPath, Name, progress: null, Timeout, default);

        Assert.Equal(7ul, stored.StoredAt);
        Assert.Equal([$"Resuming File {Name} at {corrupt.Length} of {Content.Length} bytes for Peer 7"], EventsOf(_fifteen, DhtEventKind.FileResuming));
        var retry = Assert.Single(EventsOf(_fifteen, DhtEventKind.FileTransferRetrying));
        Assert.StartsWith($"Sending File {Name} to Peer 7 failed (attempt 1 of 3); trying again: ", retry);
        Assert.Contains("SHA-256", retry);
        await Eventually.Holds(() => EventsOf(_seven, DhtEventKind.FileStored).Length == 1, "the owner has stored the file");
        Assert.Equal(Content, await File.ReadAllBytesAsync(Path.Combine(_seven.Files.Directory, Name)));
        Assert.Equal([Name], FileNamesIn(_seven.Files.Directory));
    }

    /// <summary>Reports synchronously on the receiving thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Progress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
