using System.Collections.Concurrent;
using DhtPs.Core.Peer;
using DhtPs.Core.Ring;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>SPEC §10: a newcomer takes over the files whose keys it now owns from its successor, on real sockets.</summary>
public sealed class FileTakeOverTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _temp = new();
    private readonly List<PeerNode> _peers = [];
    private readonly ConcurrentQueue<DhtEvent> _events = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
            await peer.StopAsync();
        _temp.Dispose();
    }

    private async Task<PeerNode> StartAsync(ulong id, PeerNode? via = null)
    {
        var peer = await PeerNode.StartAsync(new PeerOptions { ReplicationFactor = 1, Id = id, Port = 0, PingInterval = Interval, DataPath = DataOf(id) });
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        _peers.Add(peer);
        if (via is not null)
            await peer.JoinAsync(new PeerLocator(via.Id, via.Contact.ToEndPoint()), TimeSpan.FromSeconds(5));
        return peer;
    }

    private string DataOf(ulong id) => _temp.File($"peer{id}");

    private string LocalFile(string name, int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        var path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private IEnumerable<string> EventsOf(ulong id, DhtEventKind kind) =>
        _events.Where(e => e.PeerId == id && e.Kind == kind).Select(e => e.Message);

    /// <summary>Ring 10, 20; files with keys 12, 15, 18 live at 20 until 15 joins and owns (10, 15].</summary>
    private async Task<(PeerNode Ten, PeerNode Twenty)> RingWithFilesAsync(params (string Name, int Length)[] files)
    {
        var ten = await StartAsync(10);
        var twenty = await StartAsync(20, via: ten);
        await Eventually.Holds(() => twenty.Snapshot.Predecessors.FirstOrDefault() == 10, "peer 20 knows its predecessor 10");
        foreach (var (name, length) in files)
            Assert.Equal(20UL, (await ten.StoreAsync(LocalFile(name, length), null, null, Patience, default)).StoredAt);
        return (ten, twenty);
    }

    [Fact]
    public async Task A_newcomer_takes_over_the_files_of_its_keys_from_its_successor_and_serves_them()
    {
        var (ten, twenty) = await RingWithFilesAsync(("0012", 70_000), ("0015", 10), ("0018", 5_000));

        var fifteen = await StartAsync(15, via: ten);

        await Eventually.Holds(() => File.Exists(Path.Combine(DataOf(15), "0012")) && File.Exists(Path.Combine(DataOf(15), "0015")), "peer 15 holds 0012 and 0015");
        await Eventually.Holds(() => !File.Exists(Path.Combine(DataOf(20), "0012")) && !File.Exists(Path.Combine(DataOf(20), "0015")), "peer 20 let go of them");
        Assert.Equal(File.ReadAllBytes(_temp.File("0012")), File.ReadAllBytes(Path.Combine(DataOf(15), "0012")));
        Assert.True(File.Exists(Path.Combine(DataOf(20), "0018")), "key 18 is still peer 20's");
        Assert.False(File.Exists(Path.Combine(DataOf(15), "0018")));
        // Each event is raised on the logical thread after the copy it reports is deleted: wait for it, not for the file.
        await Eventually.Holds(() => EventsOf(20, DhtEventKind.FileHandedOff).Count() == 2, "peer 20 reported both hand-offs");
        Assert.Equal(["File 0012 handed off to Peer 15", "File 0015 handed off to Peer 15"], EventsOf(20, DhtEventKind.FileHandedOff).Order());
        Assert.Equal(["File 0012 taken over from Peer 20", "File 0015 taken over from Peer 20"], EventsOf(15, DhtEventKind.FileTakenOver).Order());

        var got = await ten.FetchAsync("0012", _temp.File("copy-0012"), null, Patience, default);
        Assert.Equal(15UL, got.StoredAt);
        Assert.Equal(File.ReadAllBytes(_temp.File("0012")), File.ReadAllBytes(_temp.File("copy-0012")));
        Assert.Equal(20UL, (await fifteen.FetchAsync("0018", _temp.File("copy-0018"), null, Patience, default)).StoredAt);
        Assert.Empty(EventsOf(15, DhtEventKind.FileMissing));
    }

    [Fact]
    public async Task A_request_that_reaches_the_newcomer_while_the_file_is_on_its_way_is_still_served()
    {
        var (ten, _) = await RingWithFilesAsync(("0013", 24 * 1024 * 1024));

        await StartAsync(15, via: ten);
        var got = await ten.FetchAsync("0013", _temp.File("copy-0013"), null, Patience, default);

        Assert.Equal(File.ReadAllBytes(_temp.File("0013")), File.ReadAllBytes(_temp.File("copy-0013")));
        Assert.Contains(got.StoredAt, new ulong[] { 15, 20 });
        await Eventually.Holds(() => File.Exists(Path.Combine(DataOf(15), "0013")) && !File.Exists(Path.Combine(DataOf(20), "0013")), "peer 15 took 0013 over");
        Assert.Empty(EventsOf(15, DhtEventKind.FileMissing));
        Assert.Empty(EventsOf(20, DhtEventKind.FileMissing));
    }

    [Fact]
    public async Task A_newcomer_that_owns_no_stored_keys_takes_over_nothing()
    {
        var (ten, twenty) = await RingWithFilesAsync(("0018", 100));

        await StartAsync(15, via: ten);
        await Eventually.Holds(() => twenty.Snapshot.Predecessors.FirstOrDefault() == 15, "peer 20 is pinged by 15");

        Assert.True(File.Exists(Path.Combine(DataOf(20), "0018")));
        Assert.Empty(EventsOf(20, DhtEventKind.FileHandedOff));
        Assert.Empty(EventsOf(15, DhtEventKind.FileTransferFailed));
    }
}
