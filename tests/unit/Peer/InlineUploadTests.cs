using System.Collections.Concurrent;
using System.Security.Cryptography;
using DhtPs.Core.Peer;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>
/// Files up to <see cref="PeerOptions.InlineFileSize"/> are uploaded inside one message on the kept connection
/// (<see cref="FileUploadContent"/>): admitted, checked and answered exactly like a streamed upload.
/// </summary>
public sealed class InlineUploadTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

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
        var options = new PeerOptions { Id = id, Port = 0, PingInterval = TimeSpan.FromMilliseconds(200), DataPath = DataOf(id) };
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

    private static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private string[] FilesOf(ulong id) =>
        Directory.Exists(DataOf(id)) ? [.. Directory.EnumerateFiles(DataOf(id)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];

    private FileUploadContent UploadOf(string name, byte[] content, UploadPurpose purpose = UploadPurpose.Store, string? requestId = null, string? sha256 = null) => new()
    {
        Sender = _fake.Contact, IdBits = 8, Purpose = purpose, RequestId = requestId, Name = name, Sha256 = sha256 ?? Sha256Of(content), Content = content,
    };

    private async Task<string> AcceptedStoreAsync(PeerNode owner, string name)
    {
        var request = new StoreRequest
        {
            Sender = _fake.Contact, IdBits = 8, RequestId = Guid.NewGuid().ToString("N"),
            Name = name, Key = FileKey.Of(name, owner.Space), Origin = _fake.Contact,
        };
        Assert.IsType<Acknowledgement>(await _fake.AskAsync(owner.Contact, request));
        await Eventually.Holds(() => _events.Any(e => e.PeerId == owner.Id && e.Kind == DhtEventKind.StoreRequestAccepted), $"peer {owner.Id} accepted the store");
        return request.RequestId;
    }

    [Fact]
    public async Task A_small_store_reaches_its_owner_and_holder_inside_messages_with_no_stream_and_a_larger_one_streams()
    {
        var ten = await StartAsync(10);
        var twenty = await StartAsync(20);
        await twenty.JoinAsync(new PeerLocator(10, ten.Contact.ToEndPoint()), Patience);
        await Eventually.Holds(() => ten.Snapshot.Successors.Contains(20UL), "peer 10 has peer 20 as its successor");
        var small = Content(PeerOptions.DefaultInlineFileSize, seed: 1);
        await File.WriteAllBytesAsync(_temp.File("0005"), small); // key 5 -> peer 10, which copies it to 20

        var stored = await twenty.StoreAsync(_temp.File("0005"), null, null, Patience, default);

        Assert.Equal((10UL, 2), (stored.StoredAt, stored.Replicas));
        Assert.Equal(small, await File.ReadAllBytesAsync(Path.Combine(DataOf(10), "0005")));
        Assert.Equal(small, await File.ReadAllBytesAsync(Path.Combine(DataOf(20), "0005")));
        Assert.Equal((0L, 0L), (twenty.Statistics.TransferBytesSent, ten.Statistics.TransferBytesSent));

        var large = Content(PeerOptions.DefaultInlineFileSize + 1, seed: 2);
        await File.WriteAllBytesAsync(_temp.File("0005"), large);
        Assert.Equal(2, (await twenty.StoreAsync(_temp.File("0005"), null, null, Patience, default)).Replicas);
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(DataOf(20), "0005")));
        Assert.True(twenty.Statistics.TransferBytesSent > large.Length, "the larger store went on a stream");
    }

    [Fact]
    public async Task An_inline_store_is_kept_once_from_its_origin_and_its_version_comes_from_the_acceptance()
    {
        var seven = await StartAsync(7);
        var requestId = await AcceptedStoreAsync(seven, "0042");
        var content = Content(1024, seed: 3);

        var stranger = UploadOf("0042", content, requestId: requestId) with { Sender = new PeerContact(8, "127.0.0.1", 12008) };
        Assert.Equal(ErrorCode.Unsolicited, Assert.IsType<ErrorResponse>(await _fake.AskAsync(seven.Contact, stranger)).Code);
        Assert.Empty(FilesOf(7));

        var ack = Assert.IsType<Acknowledgement>(await _fake.AskAsync(seven.Contact, UploadOf("0042", content, requestId: requestId)));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(DataOf(7), "0042")));
        Assert.True(ack.Version.Counter > 0, "the owner gave the store its version");

        var again = Assert.IsType<ErrorResponse>(await _fake.AskAsync(seven.Contact, UploadOf("0042", Content(10, seed: 4), requestId: requestId)));
        Assert.Equal(ErrorCode.Unsolicited, again.Code);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(DataOf(7), "0042")));
    }

    [Fact]
    public async Task Inline_bytes_that_miss_their_digest_are_refused_and_nothing_is_written()
    {
        var seven = await StartAsync(7);
        var requestId = await AcceptedStoreAsync(seven, "0042");
        var content = Content(1024, seed: 5);

        var reply = Assert.IsType<ErrorResponse>(await _fake.AskAsync(seven.Contact, UploadOf("0042", content, requestId: requestId, sha256: Sha256Of(Content(1024, seed: 6)))));

        Assert.Equal(ErrorCode.Invalid, reply.Code);
        Assert.Contains("SHA-256", reply.Reason);
        Assert.Empty(FilesOf(7));
        await Eventually.Holds(() => _events.Any(e => e.PeerId == 7 && e.Kind == DhtEventKind.FileTransferFailed), "peer 7 reported the failed upload");
    }

    [Fact]
    public async Task An_inline_file_over_the_owners_limit_is_refused_as_too_large()
    {
        var seven = await StartAsync(7, o => o with { MaxFileSize = 1000 });
        var requestId = await AcceptedStoreAsync(seven, "0042");

        var reply = Assert.IsType<ErrorResponse>(await _fake.AskAsync(seven.Contact, UploadOf("0042", Content(1001, seed: 7), requestId: requestId)));

        Assert.Equal(ErrorCode.TooLarge, reply.Code);
        Assert.Contains("the limit is 1000", reply.Reason);
        Assert.Empty(FilesOf(7));
    }

    [Fact]
    public async Task An_inline_upload_with_more_content_than_a_message_may_carry_is_malformed()
    {
        var seven = await StartAsync(7);
        var requestId = await AcceptedStoreAsync(seven, "0042");

        var reply = Assert.IsType<ErrorResponse>(await _fake.AskAsync(seven.Contact, UploadOf("0042", Content(FileContent.MaxLength + 1, seed: 8), requestId: requestId)));

        Assert.Equal(ErrorCode.Invalid, reply.Code);
        Assert.Contains($"longer than {FileContent.MaxLength} bytes", reply.Reason);
        Assert.Empty(FilesOf(7));
    }
}
