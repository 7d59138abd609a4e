using System.Security.Cryptography;
using DhtPs.Core.Peer;
using DhtPs.Core.Peer.FileServing;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Peer.FileServing;

/// <summary>
/// The file service's copies alone (r = 3), against a fake context on the SPEC's ring 2, 4, 5, 8, 9, 14, 19 (8-bit ids;
/// file "0010" has key 10, which peer 14 owns): the owner's replication pass over its range, what a holder answers, what
/// a peer beyond the holders drops, and a fetch passed on to the next copy.
/// </summary>
public sealed class ReplicationTests
{
    private static PeerContact P(ulong id) => PeerContact.ForId(id);

    private static readonly IdSpace Space = new(8);

    private static (FileService Service, FakeFileServiceContext Context, Neighborhood Neighborhood) ServiceAt(ulong self, ulong[] successors, ulong[] predecessors,
        params string[] stored) => ServiceAt(self, successors, predecessors, inlineFileSize: 0, stored);

    /// <param name="inlineFileSize">0: copies travel on the fake's streams, whatever their size (inline uploads between real peers: InlineUploadTests).</param>
    private static (FileService Service, FakeFileServiceContext Context, Neighborhood Neighborhood) ServiceAt(ulong self, ulong[] successors, ulong[] predecessors,
        int inlineFileSize, params string[] stored)
    {
        var options = new PeerOptions { Id = self, ReplicationFactor = 3, RequestTimeout = TimeSpan.FromSeconds(2), DataPath = $"/data/{self}", InlineFileSize = inlineFileSize }
            .WithReplicaSuccessors();
        var neighborhood = new Neighborhood(Space, self, options);
        var context = new FakeFileServiceContext(self);
        var service = new FileService(context, neighborhood, options);
        service.OpenStore(P(self).Port);
        foreach (var name in stored)
        {
            var content = new byte[] { 1, 2, 3 };
            service.Files.StoreAsync(name, new MemoryStream(content), content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), FileVersion.Unknown, default).GetAwaiter().GetResult();
        }
        neighborhood.SetSuccessors(successors.Select(P));
        neighborhood.SetPredecessors(predecessors.Select(P).ToArray(), DateTimeOffset.UnixEpoch);
        return (service, context, neighborhood);
    }

    /// <summary>Fires the pass timer set last, runs the pass it starts and answers every request it sends with <paramref name="answer"/>.</summary>
    private static async Task RunPassAsync(FakeFileServiceContext context, Func<PeerContact, Message, Message> answer)
    {
        var timer = Assert.Single(context.Timers, t => !t.Disposed);
        var before = context.Background.Count;
        timer.Fire();
        Assert.Equal(before + 1, context.Background.Count);
        var answered = context.Sent.Count;
        var pass = context.Background[^1]();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!pass.IsCompleted && DateTime.UtcNow < deadline)
        {
            while (answered < context.Sent.Count)
            {
                var (to, request, onReply) = context.Sent[answered++];
                onReply(new Reply(answer(to, request), null));
            }
            await Task.Delay(5);
        }
        await pass;
    }

    private static Message Holds(PeerContact from, Message request, params string[] lacking) => request switch
    {
        ReplicaSync => new ReplicaSyncReply { Sender = from, IdBits = 8, Missing = lacking },
        ReplicaRelease => new ReplicaReleaseReply { Sender = from, IdBits = 8, Kept = [] },
        _ => throw new InvalidOperationException($"unexpected {request.GetType().Name}"),
    };

    private static IEnumerable<(ulong To, T Request)> SentOf<T>(FakeFileServiceContext context) where T : Message =>
        context.Sent.Where(s => s.Request is T).Select(s => (s.To.Id, (T)(object)s.Request));

    [Fact]
    public async Task An_owner_tells_its_next_two_successors_the_files_of_its_range_and_once_both_hold_them_releases_the_peers_beyond()
    {
        // 14 owns (9, 14]: 0010 and 0012; it holds 0007 (key 7, peer 8's) as a copy.
        var (_, context, _) = ServiceAt(14, [19, 2, 4, 5], [9, 8, 5, 4], "0010", "0012", "0007");

        await RunPassAsync(context, (to, request) => Holds(to, request));

        var syncs = SentOf<ReplicaSync>(context).Where(s => s.Request.Digest is null).ToArray(); // the lists, after the digest that did not match
        Assert.Equal([2UL, 19UL], syncs.Select(s => s.To).Order());
        Assert.All(syncs, s => Assert.Equal(9UL, s.Request.After));
        Assert.All(syncs, s => Assert.Equal(["0010", "0012"], s.Request.Files.Select(f => f.Name)));
        var releases = SentOf<ReplicaRelease>(context).ToArray();
        Assert.Equal([4UL, 5UL], releases.Select(r => r.To).Order());
        Assert.All(releases, r => Assert.Equal(["0010", "0012"], r.Request.Files.Select(f => f.Name)));
    }

    [Fact]
    public async Task Copies_of_another_range_given_to_a_holder_while_this_peer_took_itself_for_their_owner_are_released_and_then_forgotten()
    {
        // Seed 78 at 64 peers: 14, not hearing 9 and 8 for a while, took itself for the owner of (5, 14] and gave its holder 2
        // a copy of 0007 (peer 8's key), beyond every holder 8 itself tells: 2 stays 14's holder, so no release reached it.
        var (_, context, neighborhood) = ServiceAt(14, [19, 2, 4, 5], [5, 4, 2, 19], "0010", "0007");
        var (holder, _, _) = ServiceAt(2, [4, 5, 8, 9], [19, 14, 9, 8]);
        var connections = new List<Transfer.Loopback>();
        context.OpenStream = async (to, opening) =>
        {
            var loopback = await Transfer.Loopback.ConnectAsync();
            connections.Add(loopback);
            _ = holder.ReceiveUploadAsync((FileUpload)opening, loopback.Server, CancellationToken.None);
            return loopback.Client;
        };
        try
        {
            await RunPassAsync(context, (to, request) => to.Id == 2 ? Holds(to, request, "0007") : Holds(to, request));
            await Eventually.Holds(() => holder.Files.Find("0007") is not null, "the copy reached peer 2");
            context.Sent.Clear();

            neighborhood.SetPredecessors([P(9), P(8), P(5), P(4)], DateTimeOffset.UnixEpoch);   // 9 and 8 are heard again: 14 owns (9, 14]
            await RunPassAsync(context, (to, request) => Holds(to, request));
            var release = Assert.Single(SentOf<ReplicaRelease>(context), r => r.To == 2);
            Assert.Equal(["0007"], release.Request.Files.Select(f => f.Name));
            Assert.Equal(9UL, release.Request.After);

            context.Sent.Clear();
            neighborhood.DeclareDead([4], DateTimeOffset.UnixEpoch);   // any change: another pass, which has nothing of 2's left to release
            await RunPassAsync(context, (to, request) => Holds(to, request));
            Assert.DoesNotContain(SentOf<ReplicaRelease>(context), r => r.To == 2);
        }
        finally
        {
            foreach (var connection in connections)
                connection.Dispose();
        }
    }

    [Fact]
    public async Task A_stray_copy_whose_owner_lies_behind_the_predecessors_goes_to_the_owner_a_lookup_finds_a_range_at_a_time()
    {
        // 14 holds (5, 14] and is back from a restart with copies from when the ring was smaller: 0095 and 0100 are peer
        // 101's, 0200 someone's whose lookup finds no owner. None lies within 14's successor list (14, 50].
        var (service, context, _) = ServiceAt(14, [19, 30, 40, 50], [9, 8, 5, 4], "0010", "0095", "0100", "0200");
        var (owner, _, _) = ServiceAt(101, [120, 130, 140, 150], [90, 80, 70, 60]);
        var connections = new List<Transfer.Loopback>();
        context.OpenStream = async (to, opening) =>
        {
            Assert.Equal(101UL, to.Id);
            var loopback = await Transfer.Loopback.ConnectAsync();
            connections.Add(loopback);
            _ = owner.ReceiveUploadAsync((FileUpload)opening, loopback.Server, CancellationToken.None);
            return loopback.Client;
        };
        context.Route = request => request.Key < 101
            ? new RouteAnswer { Sender = P(101), IdBits = 8, RequestId = request.RequestId, Outcome = RouteOutcome.Owner, OwnedFrom = 90 }
            : null;
        try
        {
            await RunPassAsync(context, (to, request) => Holds(to, request));

            Assert.Equal([95UL, 200UL], context.Routed.Select(r => Assert.IsType<LookupRequest>(r).Key)); // one lookup for 101's whole range
            Assert.NotNull(owner.Files.Find("0095"));
            Assert.NotNull(owner.Files.Find("0100"));
            Assert.Null(service.Files.Find("0095"));
            Assert.Null(service.Files.Find("0100"));
            Assert.NotNull(service.Files.Find("0200"));   // no owner answered: kept for the next pass
            Assert.NotNull(service.Files.Find("0010"));
        }
        finally
        {
            foreach (var connection in connections)
                connection.Dispose();
        }
    }

    [Fact]
    public async Task A_pass_that_finds_a_holder_lacking_a_file_whose_store_is_still_copying_it_there_sends_no_second_copy()
    {
        // A 1 GiB store with three copies sent each holder two: the store's own copies were still under way when the next
        // pass asked the holders, found them lacking the file, and sent it again beside the first.
        var (owner, context, _) = ServiceAt(14, [19, 2, 4, 5], [9, 8, 5, 4]);
        var holders = new Dictionary<ulong, FileService> { [19] = ServiceAt(19, [2, 4, 5, 8], [14, 9, 8, 5]).Service, [2] = ServiceAt(2, [4, 5, 8, 9], [19, 14, 9, 8]).Service };
        var copiesMayMove = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = new List<Transfer.Loopback>();
        context.OpenStream = async (to, opening) =>
        {
            await copiesMayMove.Task;
            var loopback = await Transfer.Loopback.ConnectAsync();
            lock (connections)
                connections.Add(loopback);
            _ = holders[to.Id].ReceiveUploadAsync((FileUpload)opening, loopback.Server, CancellationToken.None);
            return loopback.Client;
        };
        var content = TestContent.Random(100_000, seed: 5);
        var header = new TransferHeader("0010", content.Length, TestContent.Sha256(content));
        try
        {
            owner.ServeAsOwner(new StoreRequest { Sender = P(9), IdBits = 8, RequestId = "r-7", Name = "0010", Key = 10, Origin = P(8), ToOwner = true });
            using var upload = await Transfer.Loopback.ConnectAsync();
            var storing = owner.ReceiveUploadAsync(new FileUpload { Sender = P(8), IdBits = 8, Purpose = UploadPurpose.Store, RequestId = "r-7" }, upload.Server, CancellationToken.None);
            await FileSender.SendAsync(upload.Client, header, new MemoryStream(content), null, default);
            await Eventually.Holds(() => CopiesSent(context) == 2, "the store's copies to 19 and 2 are under way");

            // The pass asks both holders, which lack the file still, before one byte of the store's copies has moved.
            var timer = Assert.Single(context.Timers, t => !t.Disposed);
            timer.Fire();
            var pass = context.Background[^1]();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            for (var answered = 0; SentOf<ReplicaSync>(context).Count(s => s.Request.Digest is null) < 2 || answered < context.Sent.Count;)
            {
                if (answered == context.Sent.Count)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the pass asked both holders for their lists within 20 s");
                    await Task.Delay(5);
                    continue;
                }
                var (to, request, onReply) = context.Sent[answered++];
                onReply(new Reply(Holds(to, request, "0010"), null));
            }
            copiesMayMove.SetResult();

            Assert.IsType<Acknowledgement>(await FakePeer.ReadMessageAsync(upload.Client));
            await storing.WaitAsync(TimeSpan.FromSeconds(20));
            await pass.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(2, CopiesSent(context));
            Assert.All(holders.Values, holder => Assert.Equal(header.Sha256, holder.Files.GetInfo("0010").Sha256));
        }
        finally
        {
            copiesMayMove.TrySetResult();
            lock (connections)
                foreach (var connection in connections)
                    connection.Dispose();
        }
    }

    [Fact]
    public async Task A_small_store_goes_to_its_holders_while_the_owner_still_writes_its_own_copy_and_is_acknowledged_once_all_hold_it()
    {
        var (owner, context, _) = ServiceAt(14, [19, 2, 4, 5], [9, 8, 5, 4], inlineFileSize: PeerOptions.DefaultInlineFileSize);
        var content = TestContent.Random(1024, seed: 6);
        owner.ServeAsOwner(new StoreRequest { Sender = P(9), IdBits = 8, RequestId = "r-8", Name = "0010", Key = 10, Origin = P(8), ToOwner = true });
        var replies = new List<Message>();
        owner.HandleUploadContent(new FileUploadContent
        {
            Sender = P(8), IdBits = 8, Purpose = UploadPurpose.Store, RequestId = "r-8", Name = "0010", Sha256 = TestContent.Sha256(content), Content = content,
        }, reply => { lock (replies) replies.Add(reply); });
        context.Disk.Shut();
        var keeping = Task.Run(context.Background[^1]);
        try
        {
            await Eventually.Holds(() => context.Disk.Waiting == 1, "the owner is writing its copy");
            (ulong To, FileUploadContent Copy)[] copies = [];
            await Eventually.Holds(() => (copies = [.. SentOf<FileUploadContent>(context)]).Length == 2, "the copies went out meanwhile");
            Assert.Equal([2UL, 19UL], copies.Select(c => c.To).Order());
            Assert.All(copies, c => Assert.Equal(UploadPurpose.Replica, c.Copy.Purpose));
            Assert.All(copies, c => Assert.Equal(content, c.Copy.Content));
            Assert.Null(owner.Files.Find("0010"));
            foreach (var (to, request, onReply) in context.Sent.Where(s => s.Request is FileUploadContent).ToArray())
                onReply(new Reply(new Acknowledgement { Sender = to, IdBits = 8 }, null));
        }
        finally
        {
            context.Disk.Open();
        }
        await keeping;

        await Eventually.Holds(() => { lock (replies) return replies.Count == 1; }, "the store was answered");
        var ack = Assert.IsType<Acknowledgement>(replies[0]);
        Assert.Equal(3, ack.Copies);
        Assert.Equal(ack.Version, owner.Files.Find("0010")?.Version);
        Assert.All(SentOf<FileUploadContent>(context), c => Assert.Equal(ack.Version, c.Request.Version));
    }

    private static int CopiesSent(FakeFileServiceContext context)
    {
        lock (context.Streams)
            return context.Streams.Count(s => s.Opening is FileUpload { Purpose: UploadPurpose.Replica });
    }

    [Fact]
    public async Task A_holder_that_lacks_a_file_gets_a_copy_and_nobody_is_released_until_it_holds_it()
    {
        var (_, context, _) = ServiceAt(14, [19, 2, 4, 5], [9, 8, 5, 4], "0010", "0012");

        await RunPassAsync(context, (to, request) => to.Id == 2 ? Holds(to, request, "0012") : Holds(to, request));

        var (streamTo, opening) = Assert.Single(context.Streams.DistinctBy(s => s.To.Id));
        Assert.Equal((2UL, UploadPurpose.Replica), (streamTo.Id, Assert.IsType<FileUpload>(opening).Purpose));
        Assert.Empty(SentOf<ReplicaRelease>(context));   // the copy did not arrive (the fake moves no bytes): 4 and 5 keep theirs
        Assert.Contains(context.EventTexts, text => text.StartsWith("File 0012 could not be copied to Peer 2"));
        Assert.Single(context.Timers, t => !t.Disposed);   // and the pass runs again
    }

    [Fact]
    public async Task When_a_successor_dies_the_owner_makes_a_copy_on_the_peer_that_is_now_its_second_successor()
    {
        var (_, context, neighborhood) = ServiceAt(14, [19, 2, 4, 5], [9, 8, 5, 4], "0010");
        await RunPassAsync(context, (to, request) => Holds(to, request));
        context.Sent.Clear();

        neighborhood.DeclareDead([19], DateTimeOffset.UnixEpoch);   // 2 and 4 are its next two successors now
        await RunPassAsync(context, (to, request) => to.Id == 4 ? Holds(to, request, "0010") : Holds(to, request));

        Assert.Equal([2UL, 4UL], SentOf<ReplicaSync>(context).Where(s => s.Request.Digest is null).Select(s => s.To).Order());
        Assert.Contains(context.Streams, s => s.To.Id == 4 && s.Opening is FileUpload { Purpose: UploadPurpose.Replica });
    }

    [Fact]
    public void A_holder_names_the_files_it_lacks_and_gives_the_owner_those_of_its_range_the_owner_lacks()
    {
        // 19 holds 0010 and 0011 (keys 10, 11: 14's range) and 0016 (key 16: its own).
        var (service, context, _) = ServiceAt(19, [2, 4, 5, 8], [14, 9, 8, 5], "0010", "0011", "0016");
        var owned = new ReplicaEntry[] { new() { Name = "0010", Sha256 = new string('a', 64) }, new() { Name = "0012", Sha256 = new string('b', 64) } };
        context.Background.Clear();

        Message? reply = null;
        service.HandleReplicaSync(new ReplicaSync { Sender = P(14), IdBits = 8, After = 9, Files = owned }, answer => reply = answer);

        Assert.Equal(["0012"], Assert.IsType<ReplicaSyncReply>(reply).Missing);
        Assert.Single(context.Background);   // 0011 goes to 14; 0016 is not in (9, 14]
    }

    [Fact]
    public async Task A_holder_asks_for_a_newer_version_than_it_holds_and_gives_the_owner_one_newer_than_the_owner_lists()
    {
        var (service, context, _) = ServiceAt(19, [2, 4, 5, 8], [14, 9, 8, 5], "0010", "0011");
        var held = service.Files.Find("0011")!;
        // 0010 is held at an unknown version and listed at 3.14: the holder needs it. 0011 is listed below what is held: the owner needs it.
        var listed = new ReplicaEntry[]
        {
            new() { Name = "0010", Sha256 = new string('a', 64), Version = new FileVersion(3, 14) },
            new() { Name = "0011", Sha256 = held.Sha256, Version = FileVersion.Unknown },
        };
        await service.Files.StoreAsync("0011", new MemoryStream([9]), 1, Convert.ToHexStringLower(SHA256.HashData([9])), new FileVersion(5, 2), default);
        context.Background.Clear();

        Message? reply = null;
        service.HandleReplicaSync(new ReplicaSync { Sender = P(14), IdBits = 8, After = 9, Files = listed }, answer => reply = answer);

        Assert.Equal(["0010"], Assert.IsType<ReplicaSyncReply>(reply).Missing);
        Assert.Single(context.Background); // 0011 (version 5.2) goes to the owner
    }

    [Fact]
    public void A_holder_answers_a_digest_only_sync_in_sync_exactly_when_its_entries_of_the_range_are_the_owners()
    {
        var (service, _, _) = ServiceAt(19, [2, 4, 5, 8], [14, 9, 8, 5], "0010", "0011", "0016");
        var mine = service.Files.Records().Where(r => r.Name is "0010" or "0011").Select(ReplicaEntry.Of).ToArray();
        bool InSync(string digest)
        {
            Message? reply = null;
            service.HandleReplicaSync(new ReplicaSync { Sender = P(14), IdBits = 8, After = 9, Files = [], Digest = digest }, answer => reply = answer);
            return Assert.IsType<ReplicaSyncReply>(reply).InSync;
        }

        Assert.True(InSync(ReplicaEntry.DigestOf(mine)));                // 0016 (key 16) is not in (9, 14]
        Assert.False(InSync(ReplicaEntry.DigestOf(mine.Take(1))));        // the owner lacks 0011
        Assert.False(InSync(ReplicaEntry.DigestOf([mine[0], mine[1] with { Version = new FileVersion(2, 14) }])));
    }

    [Fact]
    public async Task A_holder_records_the_owners_tombstone_before_it_answers_and_reports_one_the_owner_missed()
    {
        var (service, context, _) = ServiceAt(19, [2, 4, 5, 8], [14, 9, 8, 5], "0010", "0012");
        service.Files.Remove("0012", new FileVersion(9, 4), DateTimeOffset.UtcNow);
        var listed = new ReplicaEntry[]
        {
            new() { Name = "0010", Sha256 = FileDigest.Empty, Version = new FileVersion(6, 14), Removed = true },
            new() { Name = "0012", Sha256 = new string('b', 64), Version = new FileVersion(2, 14) },
        };
        context.Background.Clear();

        Message? reply = null;
        service.HandleReplicaSync(new ReplicaSync { Sender = P(14), IdBits = 8, After = 9, Files = listed }, answer => reply = answer);
        Assert.Null(reply); // not before the tombstone is on disk
        await Assert.Single(context.Background)();

        var answer = Assert.IsType<ReplicaSyncReply>(reply);
        Assert.Empty(answer.Missing);
        var missed = Assert.Single(answer.Removed!);
        Assert.Equal(("0012", new FileVersion(9, 4), true), (missed.Name, missed.Version, missed.Removed));
        Assert.False(service.Files.Exists("0010"));
        Assert.True(service.Files.Find("0010")?.IsTombstone);
    }

    [Fact]
    public async Task A_peer_beyond_the_holders_drops_only_the_copies_of_the_owners_range_and_keeps_a_file_whose_key_it_owns()
    {
        // 4 holds 0010 (key 10, 14's) and 0003 (key 3, its own).
        var (service, context, _) = ServiceAt(4, [5, 8, 9, 14], [2, 19, 14, 9], "0010", "0003");
        context.Background.Clear();
        string Sha(string name) => service.Files.GetInfo(name).Sha256;

        var reply = service.HandleReplicaRelease(new ReplicaRelease
        {
            Sender = P(14), IdBits = 8, After = 9, Files = [new() { Name = "0010", Sha256 = Sha("0010") }, new() { Name = "0003", Sha256 = Sha("0003") }],
        });
        await Assert.Single(context.Background)();

        Assert.Equal(["0003"], Assert.IsType<ReplicaReleaseReply>(reply).Kept);   // key 3 is not in 14's range (9, 14]
        Assert.Equal(["0003"], service.Files.Names());
        Assert.Contains("File 0010 dropped here: Peer 14 and its next successors hold it", context.EventTexts);
    }

    [Fact]
    public void An_owner_that_lacks_a_file_passes_the_request_to_its_next_copy_and_the_last_copy_answers_not_stored()
    {
        var (service, context, _) = ServiceAt(14, [19, 2, 4, 5], [9, 8, 5, 4]);
        FetchRequest Fetch(int replicaHops) => new()
        {
            Sender = P(9), IdBits = 8, RequestId = "r-1", Name = "0010", Key = FileKey.Of("0010", Space), Origin = P(2), ToOwner = true, ReplicaHops = replicaHops,
        };

        service.ServeAsOwner(Fetch(0));
        var (passed, holder) = Assert.Single(context.PassedOn);
        Assert.Equal((19UL, 1), (holder.Id, Assert.IsType<FetchRequest>(passed).ReplicaHops));
        Assert.Empty(context.Answers);

        service.ServeAsOwner(Fetch(2));   // passed on twice already: r - 1 copies after the owner
        Assert.Equal(RouteOutcome.NotStored, Assert.Single(context.Answers).Outcome);
    }
}
