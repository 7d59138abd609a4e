using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Transfer;

/// <summary>Transfers cut off midway and tried again over real loopback connections: the receiver says what it holds, the sender sends the rest.</summary>
public sealed class ResumableTransferTests : IDisposable
{
    private static readonly byte[] Content = TestContent.Random(20 * FileSender.ChunkLength + 123, seed: 7);
    private static readonly TransferHeader Header = new("2067.iso", Content.Length, TestContent.Sha256(Content));
    private const long Limit = 1L << 30;

    private readonly TempDirectory _temp = new();
    private readonly FileStore _store;

    public ResumableTransferTests() => _store = new FileStore(_temp.Path, new IdSpace(8));

    public void Dispose() => _temp.Dispose();

    private string TempOf(TransferHeader header) => PartialFile.ResumableTempPath(_temp.File(header.Name), header.Length, header.Sha256);

    /// <summary>Sends <paramref name="content"/> whole into the store; returns where the sender resumed and how many bytes it put on the wire.</summary>
    private async Task<(long Offset, long WireBytes, Task<StoredFile> Receiving)> SendAsync(TransferHeader header, byte[] content)
    {
        using var connection = await Loopback.ConnectAsync();
        var receiving = FileReceiver.ReceiveIntoAsync(connection.Server, _store, Limit, progress: null, default);
        var wire = new MeteredStream(connection.Client);
        var offset = await FileSender.SendAsync(wire, header, new MemoryStream(content), progress: null, default);
        await ((Task)receiving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return (offset, wire.BytesWritten, receiving);
    }

    /// <summary>Sends <paramref name="content"/> on a connection that breaks after <paramref name="cutAfter"/> bytes.</summary>
    private async Task SendCutOffAsync(TransferHeader header, byte[] content, long cutAfter)
    {
        using var connection = await Loopback.ConnectAsync();
        var receiving = FileReceiver.ReceiveIntoAsync(connection.Server, _store, Limit, progress: null, default);
        var wire = new MeteredStream(connection.Client, cutAfter);
        await Assert.ThrowsAsync<IOException>(() => FileSender.SendAsync(wire, header, new MemoryStream(content), progress: null, default));
        Assert.Equal(ProtocolError.Truncated, (await Assert.ThrowsAsync<ProtocolException>(() => receiving)).Error);
    }

    /// <summary>Exactly what a transfer from <paramref name="offset"/> puts on the wire: header, the remaining chunks, end marker.</summary>
    private static long WireBytesFrom(TransferHeader header, long offset)
    {
        var rest = header.Length - offset;
        var chunks = (rest + FileSender.ChunkLength - 1) / FileSender.ChunkLength;
        return FrameCodec.FrameLength(header.Encode().Length) + rest + (chunks + 1) * FrameCodec.FrameLength(0);
    }

    [Fact]
    public async Task A_cut_off_transfer_keeps_what_arrived_and_the_retry_sends_only_the_rest()
    {
        await SendCutOffAsync(Header, Content, cutAfter: 10 * FileSender.ChunkLength);

        Assert.False(_store.Exists(Header.Name));
        Assert.Empty(_store.List());
        Assert.Equal([Path.GetFileName(TempOf(Header))], _temp.FileNames());
        var held = await File.ReadAllBytesAsync(TempOf(Header));
        Assert.InRange(held.Length, 1, 10 * FileSender.ChunkLength);
        Assert.Equal(Content[..held.Length], held);

        var (offset, wireBytes, receiving) = await SendAsync(Header, Content);

        Assert.Equal(held.Length, offset);
        Assert.Equal(WireBytesFrom(Header, offset), wireBytes);
        Assert.True(wireBytes < Content.Length - held.Length + 64 * 1024, $"{wireBytes} bytes on the wire to send {Content.Length - held.Length}");
        Assert.Equal(new StoredFile(Header.Name, FileKey.Of(Header.Name, _store.Space), Content.Length, Header.Sha256), await receiving);
        Assert.Equal(Content, await File.ReadAllBytesAsync(_temp.File(Header.Name)));
        Assert.Equal([Header.Name], _temp.FileNames());
    }

    [Fact]
    public async Task A_corrupt_held_prefix_fails_the_sha256_check_and_is_deleted_so_the_next_attempt_starts_from_zero()
    {
        var corrupt = Content[..(3 * FileSender.ChunkLength)];
        corrupt[100] ^= 0xFF;
        await File.WriteAllBytesAsync(TempOf(Header), corrupt);

        var (offset, _, receiving) = await SendAsync(Header, Content);

        Assert.Equal(corrupt.Length, offset);
        var error = await Assert.ThrowsAsync<FileContentMismatchException>(() => receiving);
        Assert.Contains("SHA-256", error.Message);
        Assert.Empty(_temp.FileNames());

        (offset, var wireBytes, receiving) = await SendAsync(Header, Content);

        Assert.Equal(0, offset);
        Assert.Equal(WireBytesFrom(Header, 0), wireBytes);
        await receiving;
        Assert.Equal(Content, await File.ReadAllBytesAsync(_temp.File(Header.Name)));
        Assert.Equal([Header.Name], _temp.FileNames());
    }

    [Fact]
    public async Task Bytes_held_for_other_content_of_the_same_name_and_length_are_never_resumed_from()
    {
        var other = TestContent.Random(Content.Length, seed: 8);
        var otherHeader = Header with { Sha256 = TestContent.Sha256(other) };
        await SendCutOffAsync(otherHeader, other, cutAfter: 5 * FileSender.ChunkLength);
        Assert.NotEqual(TempOf(otherHeader), TempOf(Header));
        Assert.True(File.Exists(TempOf(otherHeader)));

        var (offset, _, receiving) = await SendAsync(Header, Content);

        Assert.Equal(0, offset);
        await receiving;
        Assert.Equal(Content, await File.ReadAllBytesAsync(_temp.File(Header.Name)));
        // The other content's bytes stay for its own retry, untouched, until they are stale.
        Assert.Equal([Path.GetFileName(TempOf(otherHeader)), Header.Name], _temp.FileNames());
        Assert.Equal(other[..(int)new FileInfo(TempOf(otherHeader)).Length], await File.ReadAllBytesAsync(TempOf(otherHeader)));
    }

    [Fact]
    public async Task Held_bytes_longer_than_the_announced_content_are_dropped_and_the_transfer_starts_from_zero()
    {
        await File.WriteAllBytesAsync(TempOf(Header), [.. Content, 1, 2, 3]);

        var (offset, _, receiving) = await SendAsync(Header, Content);

        Assert.Equal(0, offset);
        await receiving;
        Assert.Equal(Content, await File.ReadAllBytesAsync(_temp.File(Header.Name)));
        Assert.Equal([Header.Name], _temp.FileNames());
    }

    [Fact]
    public async Task A_receiver_that_holds_everything_gets_only_the_end_marker()
    {
        await File.WriteAllBytesAsync(TempOf(Header), Content);

        var (offset, wireBytes, receiving) = await SendAsync(Header, Content);

        Assert.Equal(Content.Length, offset);
        Assert.Equal(WireBytesFrom(Header, Content.Length), wireBytes);
        await receiving;
        Assert.Equal(Content, await File.ReadAllBytesAsync(_temp.File(Header.Name)));
    }

    [Fact]
    public async Task A_refusal_in_answer_to_the_header_stops_the_sender_before_any_content()
    {
        var refusal = new ErrorResponse { Sender = new PeerContact(9, "127.0.0.1", 12009), IdBits = 8, Code = ErrorCode.NotRunning, Reason = "Peer 9 is not running." };
        var wire = new ScriptedStream(MessageCodec.Encode(refusal, sequence: 0));

        var error = await Assert.ThrowsAsync<TransferRefusedException>(() => FileSender.SendAsync(wire, Header, new MemoryStream(Content), progress: null, default));

        Assert.Equal(ErrorCode.NotRunning, error.Code);
        Assert.Equal("Peer 9 is not running.", error.Message);
        Assert.Equal(FrameCodec.FrameLength(Header.Encode().Length), wire.Written.Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(20 * FileSender.ChunkLength + 124)]
    public async Task A_resume_offset_outside_the_announced_content_is_malformed(long offset)
    {
        var payload = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload, offset);
        var wire = new ScriptedStream(FrameCodec.Encode(FrameKind.ResumeOffset, 0, payload));

        var error = await Assert.ThrowsAsync<ProtocolException>(() => FileSender.SendAsync(wire, Header, new MemoryStream(Content), progress: null, default));

        Assert.Equal(ProtocolError.MalformedPayload, error.Error);
    }

    [Fact]
    public async Task Any_other_frame_in_answer_to_the_header_is_refused()
    {
        var wire = new ScriptedStream(FrameCodec.Encode(FrameKind.Data, 1, []));
        var error = await Assert.ThrowsAsync<ProtocolException>(() => FileSender.SendAsync(wire, Header, new MemoryStream(Content), progress: null, default));
        Assert.Equal(ProtocolError.UnknownFrameKind, error.Error);
    }
}
