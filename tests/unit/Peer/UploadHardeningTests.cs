using System.Collections.Concurrent;
using System.Security.Cryptography;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>A peer keeps only uploads it asked for, within its size limit, and gives up on transfers that stall.</summary>
public sealed class UploadHardeningTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShortIdle = TimeSpan.FromMilliseconds(300);

    private readonly TempDirectory _temp = new();
    private readonly List<PeerNode> _peers = [];
    private readonly ConcurrentQueue<DhtEvent> _events = new();
    private readonly FakePeer _fake = new(id: 9);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
            await peer.StopAsync();
        _fake.Dispose();
        _temp.Dispose();
    }

    private async Task<PeerNode> StartAsync(ulong id, Func<PeerOptions, PeerOptions>? configure = null)
    {
        var options = new PeerOptions { Id = id, Port = 0, PingInterval = TimeSpan.FromMinutes(1), DataPath = DataOf(id), TransferIdleTimeout = ShortIdle };
        var peer = await PeerNode.StartAsync(configure?.Invoke(options) ?? options);
        peer.EventRaised += (_, e) => _events.Enqueue(e);
        _peers.Add(peer);
        return peer;
    }

    private string DataOf(ulong id) => _temp.File($"peer{id}");

    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static TransferHeader HeaderOf(string name, byte[] content) => new(name, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)));

    private IEnumerable<string> EventsOf(ulong id, DhtEventKind kind) =>
        _events.Where(e => e.PeerId == id && e.Kind == kind).Select(e => e.Message);

    private string[] FilesOf(ulong id) => [.. Directory.EnumerateFiles(DataOf(id)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Has <paramref name="owner"/> accept a store of <paramref name="name"/> from the fake peer; returns the request id.</summary>
    private async Task<string> AcceptedStoreAsync(PeerNode owner, string name)
    {
        var request = new StoreRequest
        {
            Sender = _fake.Contact, IdBits = 8, RequestId = Guid.NewGuid().ToString("N"),
            Name = name, Key = FileKey.Of(name, owner.Space), Origin = _fake.Contact,
        };
        Assert.IsType<Acknowledgement>(await _fake.AskAsync(owner.Contact, request));
        await Eventually.Holds(() => EventsOf(owner.Id, DhtEventKind.StoreRequestAccepted).Any(), $"peer {owner.Id} accepted the store");
        return request.RequestId;
    }

    public static TheoryData<UploadPurpose, string?> Unsolicited => new()
    {
        { UploadPurpose.Store, "a-request-nobody-accepted" },
        { UploadPurpose.HandOff, null },
        { UploadPurpose.TakeOver, null },
    };

    [Theory]
    [MemberData(nameof(Unsolicited))]
    public async Task An_upload_nobody_asked_for_is_refused_and_the_stored_file_stays_byte_for_byte(UploadPurpose purpose, string? requestId)
    {
        var seven = await StartAsync(7);
        var original = Content(3000, seed: 1);
        await File.WriteAllBytesAsync(_temp.File("0042"), original);
        Assert.Equal(7UL, (await seven.StoreAsync(_temp.File("0042"), null, null, Patience, default)).StoredAt);

        var forged = Content(3000, seed: 2);
        var stream = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = purpose, RequestId = requestId });
        await FakePeer.SendHeaderAsync(stream, HeaderOf("0042", forged));
        var reply = Assert.IsType<ErrorResponse>(await FakePeer.ReadMessageAsync(stream));

        Assert.Equal(ErrorCode.Unsolicited, reply.Code);
        Assert.Equal(original, await File.ReadAllBytesAsync(Path.Combine(DataOf(7), "0042")));
        Assert.Equal(["0042"], FilesOf(7));
        await Eventually.Holds(() => EventsOf(7, DhtEventKind.FileRefused).Any(m => m.StartsWith("File 0042 from Peer 9 refused: ", StringComparison.Ordinal)), "peer 7 reported the refusal");
        Assert.Equal(["File 0042 has been stored here"], EventsOf(7, DhtEventKind.FileStored)); // the real store's, nothing since
    }

    [Fact]
    public async Task An_accepted_store_is_kept_but_only_once_and_only_from_its_origin()
    {
        var seven = await StartAsync(7);
        var requestId = await AcceptedStoreAsync(seven, "0042");
        var content = Content(100_000, seed: 3);

        var stranger = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = new PeerContact(8, "127.0.0.1", 12008), IdBits = 8, Purpose = UploadPurpose.Store, RequestId = requestId });
        await FakePeer.SendHeaderAsync(stranger, HeaderOf("0042", content));
        Assert.Equal(ErrorCode.Unsolicited, Assert.IsType<ErrorResponse>(await FakePeer.ReadMessageAsync(stranger)).Code);

        var stream = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = requestId });
        await FileSender.SendAsync(stream, HeaderOf("0042", content), new MemoryStream(content), null, default);
        Assert.IsType<Acknowledgement>(await FakePeer.ReadMessageAsync(stream));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(DataOf(7), "0042")));

        var again = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = requestId });
        await FakePeer.SendHeaderAsync(again, HeaderOf("0042", Content(10, seed: 4)));
        Assert.Equal(ErrorCode.Unsolicited, Assert.IsType<ErrorResponse>(await FakePeer.ReadMessageAsync(again)).Code);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(DataOf(7), "0042")));
    }

    [Fact]
    public async Task A_file_longer_than_the_owners_limit_is_refused_before_a_byte_is_written()
    {
        var ten = await StartAsync(10, o => o with { MaxFileSize = 1000, PingInterval = TimeSpan.FromMilliseconds(200) });
        var twenty = await StartAsync(20, o => o with { PingInterval = TimeSpan.FromMilliseconds(200) });
        await twenty.JoinAsync(new PeerLocator(10, ten.Contact.ToEndPoint()), Patience);
        await File.WriteAllBytesAsync(_temp.File("0005"), Content(5000, seed: 5)); // key 5 -> peer 10

        var error = await Assert.ThrowsAsync<DhtFileException>(() => twenty.StoreAsync(_temp.File("0005"), null, null, Patience, default));

        Assert.Equal(DhtFileFailure.TransferFailed, error.Failure);
        Assert.Contains("the limit is 1000", error.Message);
        Assert.False(File.Exists(Path.Combine(DataOf(10), "0005")));
        await Eventually.Holds(() => EventsOf(10, DhtEventKind.FileRefused).Any(m => m.Contains("limit is 1000")), "peer 10 reported the refusal");
    }

    [Fact]
    public async Task An_oversized_header_is_answered_with_too_large()
    {
        var seven = await StartAsync(7, o => o with { MaxFileSize = 1000 });
        var requestId = await AcceptedStoreAsync(seven, "0042");

        var stream = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = requestId });
        await FakePeer.SendHeaderAsync(stream, new TransferHeader("0042", long.MaxValue, new string('0', 64)));

        Assert.Equal(ErrorCode.TooLarge, Assert.IsType<ErrorResponse>(await FakePeer.ReadMessageAsync(stream)).Code);
        Assert.False(Directory.Exists(DataOf(7)) && FilesOf(7).Length > 0, "nothing was written");
    }

    [Fact]
    public async Task An_upload_that_would_pass_the_bound_on_partial_uploads_is_refused_and_taken_once_they_are_gone()
    {
        var seven = await StartAsync(7, o => o with { MaxPartialSize = 150_000 });
        // What an abandoned upload of 120,000 bytes leaves behind: its resumable bytes, kept for a retry.
        var abandoned = Content(120_000, seed: 8);
        var leftover = PartialFile.ResumableTempPath(Path.Combine(DataOf(7), "0099"), abandoned.Length, HeaderOf("0099", abandoned).Sha256);
        Directory.CreateDirectory(DataOf(7));
        await File.WriteAllBytesAsync(leftover, abandoned);
        var content = Content(50_000, seed: 9);

        var refused = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = await AcceptedStoreAsync(seven, "0042") });
        await FakePeer.SendHeaderAsync(refused, HeaderOf("0042", content));
        var refusal = Assert.IsType<ErrorResponse>(await FakePeer.ReadMessageAsync(refused));
        Assert.Equal(ErrorCode.NoSpace, refusal.Code);
        Assert.Contains("at most 150000 may be held", refusal.Reason);
        Assert.False(File.Exists(Path.Combine(DataOf(7), "0042")));

        File.Delete(leftover); // expired, or resumed and completed
        var taken = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = await AcceptedStoreAsync(seven, "0042") });
        await FileSender.SendAsync(taken, HeaderOf("0042", content), new MemoryStream(content), null, default);
        Assert.IsType<Acknowledgement>(await FakePeer.ReadMessageAsync(taken));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(DataOf(7), "0042")));
    }

    [Fact]
    public async Task A_store_whose_sender_stalls_after_the_header_times_out_and_leaves_nothing()
    {
        var seven = await StartAsync(7);
        var requestId = await AcceptedStoreAsync(seven, "0042");
        var content = Content(200_000, seed: 6);

        var stream = await _fake.OpenStreamAsync(seven.Contact, new FileUpload { Sender = _fake.Contact, IdBits = 8, Purpose = UploadPurpose.Store, RequestId = requestId });
        await FakePeer.SendHeaderAsync(stream, HeaderOf("0042", content));
        Assert.Equal(0, await ResumeOffset.ReadAsync(stream, HeaderOf("0042", content), default));
        await stream.WriteAsync(FrameCodec.Encode(FrameKind.Data, 1, content.AsSpan(0, 1000))); // then nothing more, connection open

        var reply = Assert.IsType<ErrorResponse>(await FakePeer.ReadMessageAsync(stream));
        Assert.Contains("stalled", reply.Reason);
        await Eventually.Holds(() => EventsOf(7, DhtEventKind.FileTransferFailed).Any(m => m.Contains("stalled")), "peer 7 reported the stall");
        // Nothing is stored; only the resumable bytes of the cut-off upload wait beside the store for a retry.
        Assert.All(FilesOf(7), name => Assert.True(PartialFile.IsTempFileName(name), $"{name} is stored"));
    }

    [Fact]
    public async Task A_delivery_that_stalls_fails_the_fetch_as_timed_out_and_writes_nothing()
    {
        var seven = await StartAsync(7, o => o with { FirstSuccessor = new PeerLocator(_fake.Contact.Id, _fake.EndPoint) });
        var destination = _temp.File("received_0008");
        var fetching = seven.FetchAsync("0008", destination, null, Patience, default); // key 8: peer 7 passes it to its successor, the fake

        var (fetch, sequence, hop) = await _fake.AcceptRequestAsync<FetchRequest>().WaitAsync(Patience);
        await hop.WriteAsync(MessageCodec.Encode(new Acknowledgement { Sender = _fake.Contact, IdBits = 8 }, sequence));
        var content = Content(100_000, seed: 7);
        var delivery = await _fake.OpenStreamAsync(seven.Contact, new FileDelivery { Sender = _fake.Contact, IdBits = 8, RequestId = fetch.RequestId });
        await FakePeer.SendHeaderAsync(delivery, HeaderOf("0008", content)); // then nothing more, connection open

        var error = await Assert.ThrowsAsync<DhtFileException>(() => fetching);
        Assert.Equal(DhtFileFailure.TimedOut, error.Failure);
        Assert.False(File.Exists(destination));
        Assert.DoesNotContain(_temp.FileNames(), name => name.StartsWith(".dhtps", StringComparison.Ordinal));
        await Eventually.Holds(() => EventsOf(7, DhtEventKind.FileTransferFailed).Any(), "peer 7 reported the failed delivery");
    }
}
