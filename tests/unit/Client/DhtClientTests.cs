using System.Net;
using DhtPs.Core.Client;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Client;

/// <summary>Client mode against real peers on loopback: the entry peer acts as origin, on the one connection the client opened.</summary>
public sealed class DhtClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _work = new();
    private PeerNode _entry = null!;
    private PeerNode _owner = null!;

    /// <summary>A ring of two in a 16-bit space: entry 100, owner 60000 (so most keys, including "summary.txt"'s, are the owner's).</summary>
    public async Task InitializeAsync()
    {
        _entry = await Start(100);
        _owner = await Start(60_000);
        await _owner.JoinAsync(new PeerLocator(_entry.Id, _entry.Contact.ToEndPoint()), Patience);
        await Eventually.Holds(() => _entry.Snapshot.Successors.SequenceEqual([60_000UL]) && _owner.Snapshot.Successors.SequenceEqual([100UL]), "the ring of two closed");
    }

    private Task<PeerNode> Start(ulong id) => PeerNode.StartAsync(new PeerOptions
    {
        Id = id, IdBits = 16, Port = 0, PingInterval = TimeSpan.FromMilliseconds(500), DataPath = _data.File($"peer{id}"),
    });

    public async Task DisposeAsync()
    {
        await _entry.StopAsync();
        await _owner.StopAsync();
        _data.Dispose();
        _work.Dispose();
    }

    private DhtClient Client(ulong? expectedId = null) => new(_entry.Contact.ToEndPoint(), IdSpace.DefaultBits, expectedId);

    [Fact]
    public async Task Stores_fetches_and_looks_up_through_the_entry_peer_learning_the_ring_width_on_the_way()
    {
        var content = TestContent.Random(200_000, seed: 14);
        var original = _work.File("summary.txt");
        File.WriteAllBytes(original, content);
        var key = FileKey.Of("summary.txt", new IdSpace(16));
        var owner = new IdSpace(16).SuccessorOf(key, [100UL, 60_000UL]);

        var stored = await Client().StoreAsync(original, name: null, progress: null, Patience, CancellationToken.None);
        Assert.Equal((key, owner, 200_000L, TestContent.Sha256(content)), (stored.Key, stored.StoredAt, stored.Length, stored.Sha256));
        var holder = owner == _owner.Id ? _owner : _entry;
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(holder.DataPath, "summary.txt")));

        var progress = new List<TransferProgress>();
        var fetched = await Client().FetchAsync("summary.txt", _work.File("copy"), new SynchronousProgress(progress), Patience, CancellationToken.None);
        Assert.Equal(content, File.ReadAllBytes(_work.File("copy")));
        Assert.Equal((owner, _work.File("copy")), (fetched.StoredAt, fetched.Path));
        Assert.Equal(200_000L, progress[^1].BytesDone);

        var lookup = await Client().LookupAsync("summary.txt", key: null, Patience, CancellationToken.None);
        Assert.Equal((key, owner), (lookup.Key, lookup.Owner.Id));
        Assert.Equal(100UL, (await Client().LookupAsync(name: null, key: 80, Patience, CancellationToken.None)).Owner.Id);
    }

    [Fact]
    public async Task Failures_arrive_as_the_local_operations_would_throw_them()
    {
        var missing = await Assert.ThrowsAsync<DhtFileException>(() => Client().FetchAsync("4103", _work.File("x"), null, Patience, CancellationToken.None));
        Assert.Equal(DhtFileFailure.NotFound, missing.Failure);
        Assert.False(File.Exists(_work.File("x")));

        await Assert.ThrowsAsync<UnsafeFileNameException>(() => Client().FetchAsync("../etc/passwd", _work.File("y"), null, Patience, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client().LookupAsync(name: null, key: 70_000, Patience, CancellationToken.None));

        var wrongPeer = await Assert.ThrowsAsync<DhtFileException>(() => Client(expectedId: 7).FetchAsync("4103", _work.File("z"), null, Patience, CancellationToken.None));
        Assert.Contains("is Peer 100, not Peer 7", wrongPeer.Message);

        var nobody = new DhtClient(new IPEndPoint(IPAddress.Loopback, ClosedPort()));
        Assert.Equal(DhtFileFailure.Unroutable,
            (await Assert.ThrowsAsync<DhtFileException>(() => nobody.FetchAsync("4103", _work.File("w"), null, Patience, CancellationToken.None))).Failure);
        Assert.Equal(LookupFailure.Unroutable,
            (await Assert.ThrowsAsync<LookupException>(() => nobody.LookupAsync("4103", null, Patience, CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task The_entry_peer_keeps_nothing_a_client_sends_under_another_name()
    {
        await using var connection = await OutboundConnection.ConnectAsync(_entry.Contact.ToEndPoint(), Patience, CancellationToken.None);
        await connection.SendOpeningAsync(new ClientStore { Sender = connection.Self, IdBits = 16, TimeoutMilliseconds = 5000, Name = "2067" }, CancellationToken.None);
        Assert.IsType<Acknowledgement>(await connection.ReadMessageAsync(CancellationToken.None));
        var bytes = TestContent.Random(100, seed: 1);
        var refused = await Assert.ThrowsAsync<TransferRefusedException>(() =>
            FileSender.AnnounceAsync(connection.Stream, new TransferHeader("4103", 100, TestContent.Sha256(bytes)), CancellationToken.None));
        Assert.Equal(ErrorCode.Invalid, refused.Code);
        Assert.Contains("asked to store 2067 and sent 4103", refused.Message);
        Assert.All(new[] { _entry.DataPath, _owner.DataPath }, path => Assert.False(Directory.Exists(path) && Directory.EnumerateFiles(path).Any()));
    }

    [Fact]
    public async Task A_walk_from_outside_follows_the_width_the_ring_names()
    {
        var walk = await Client().WalkRingAsync(Patience, CancellationToken.None);
        Assert.True(walk.Closed, walk.Problem);
        Assert.Equal([100UL, 60_000UL], walk.Members.Select(m => m.Id));
        Assert.Contains("not Peer 5", (await Client(expectedId: 5).WalkRingAsync(Patience, CancellationToken.None)).Problem);
    }

    private static int ClosedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class SynchronousProgress(List<TransferProgress> reports) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            lock (reports)
                reports.Add(value);
        }
    }
}
