using System.Net;
using System.Net.Sockets;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Transfer;

public sealed class FileTransferTests : IDisposable
{
    // Two full chunks and a short one: every chunk boundary case in a few hundred KiB.
    private static readonly byte[] Content = TestContent.Random(2 * FileSender.ChunkLength + 1000, seed: 42);
    private static readonly TransferHeader Header = new("4103", Content.Length, TestContent.Sha256(Content));
    private const long Limit = 1L << 30;

    private readonly TempDirectory _temp = new();
    private readonly FileStore _store;

    public FileTransferTests() => _store = new FileStore(_temp.Path, new IdSpace(8));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_file_crosses_a_loopback_tcp_connection_into_a_store_with_progress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        await connecting;

        var sent = new RecordingProgress();
        var received = new RecordingProgress();
        var sending = FileSender.SendAsync(client.GetStream(), Header, new MemoryStream(Content), sent, default);
        var stored = await FileReceiver.ReceiveIntoAsync(server.GetStream(), _store, Limit, received, default);
        await sending;

        Assert.Equal(new StoredFile("4103", 7, Content.Length, Header.Sha256), stored);
        Assert.Equal(Content, await File.ReadAllBytesAsync(_temp.File("4103")));
        Assert.Equal(["4103"], _temp.FileNames());
        foreach (var reports in new[] { sent.Reports, received.Reports })
        {
            Assert.Equal(new TransferProgress("4103", Content.Length, Content.Length), reports[^1]);
            Assert.Equal(reports.Select(r => r.BytesDone).Order(), reports.Select(r => r.BytesDone));
        }
    }

    [Fact]
    public async Task A_file_crosses_a_connection_into_an_arbitrary_destination_path()
    {
        using var connection = await Loopback.ConnectAsync();
        var sending = FileSender.SendAsync(connection.Client, Header, new MemoryStream(Content), progress: null, default);
        var header = await FileReceiver.ReadHeaderAsync(connection.Server, Limit, default);
        var destination = _temp.File($"received_{header.Name}");
        await using (var partial = PartialFile.Create(destination, header.Length, header.Sha256))
            await FileReceiver.ReceiveAsync(connection.Server, header, partial, progress: null, default);

        Assert.Equal(0, await sending);
        Assert.Equal(Header, header);
        Assert.Equal(Content, await File.ReadAllBytesAsync(destination));
        Assert.Equal(["received_4103"], _temp.FileNames());
    }

    [Fact]
    public async Task An_empty_file_is_a_header_and_an_end_marker()
    {
        var frames = await Wire.FramesOfAsync(new TransferHeader("empty.txt", 0, TestContent.Sha256([])), []);
        Assert.Equal(2, frames.Count);
        var stored = await FileReceiver.ReceiveIntoAsync(Wire.Join(frames), _store, Limit, null, default);
        Assert.Equal(0, stored.Length);
        Assert.Empty(await File.ReadAllBytesAsync(_temp.File("empty.txt")));
    }

    [Fact]
    public async Task The_wire_is_a_header_then_consecutive_full_chunks_then_an_empty_end_marker()
    {
        var frames = (await Wire.FramesOfAsync(Header, Content)).Select(f => FrameCodec.Decode(f)).ToList();
        Assert.Equal([FrameKind.FileHeader, FrameKind.Data, FrameKind.Data, FrameKind.Data, FrameKind.Data], frames.Select(f => f.Kind));
        Assert.Equal([0u, 1u, 2u, 3u, 4u], frames.Select(f => f.Sequence));
        Assert.Equal([FileSender.ChunkLength, FileSender.ChunkLength, 1000, 0], frames.Skip(1).Select(f => f.Payload.Length));
    }

    [Fact]
    public async Task A_flipped_byte_mid_stream_is_caught_by_the_chunk_crc_and_nothing_is_stored()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        frames[2][FrameCodec.HeaderLength + 500] ^= 0x04;
        await AssertRefusedAsync<ProtocolException>(frames, e => Assert.Equal(ProtocolError.ChecksumMismatch, e.Error));
    }

    [Fact]
    public async Task Wrong_content_with_a_valid_crc_is_caught_by_sha256_and_nothing_is_stored()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        Wire.ForgeByte(frames[3], 10);
        await AssertRefusedAsync<FileContentMismatchException>(frames, e => Assert.Contains("SHA-256", e.Message));
        Assert.Empty(_temp.FileNames()); // proven wrong: nothing is kept to resume from
    }

    [Theory]
    [InlineData(1, 0)]           // header only
    [InlineData(2, 0)]           // cut between chunks
    [InlineData(2, 7)]           // cut inside a chunk's header
    [InlineData(2, 30_000)]      // cut inside a chunk's payload
    [InlineData(4, 0)]           // all content, no end marker
    public async Task A_truncated_stream_is_refused_and_nothing_is_stored(int wholeFrames, int extraBytes)
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        var cut = frames.Take(wholeFrames).Append(frames[wholeFrames][..extraBytes]);
        await AssertRefusedAsync<ProtocolException>(cut, e => Assert.Equal(ProtocolError.Truncated, e.Error));
    }

    [Fact]
    public async Task Swapped_chunks_are_out_of_sequence()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        (frames[1], frames[2]) = (frames[2], frames[1]);
        await AssertRefusedAsync<ProtocolException>(frames, e => Assert.Equal(ProtocolError.OutOfSequence, e.Error));
    }

    [Fact]
    public async Task A_duplicated_chunk_is_out_of_sequence()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        frames.Insert(2, frames[1]);
        await AssertRefusedAsync<ProtocolException>(frames, e => Assert.Equal(ProtocolError.OutOfSequence, e.Error));
    }

    [Fact]
    public async Task An_end_marker_before_the_announced_length_is_a_length_mismatch()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        frames[0] = FrameCodec.Encode(FrameKind.FileHeader, 0, (Header with { Length = Content.Length + 1 }).Encode());
        await AssertRefusedAsync<ProtocolException>(frames, e => Assert.Equal(ProtocolError.LengthMismatch, e.Error));
    }

    [Fact]
    public async Task More_content_than_announced_is_a_length_mismatch()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        frames.Insert(4, FrameCodec.Encode(FrameKind.Data, 4, [1, 2, 3]));
        frames[5] = FrameCodec.Encode(FrameKind.Data, 5, []);
        await AssertRefusedAsync<ProtocolException>(frames, e => Assert.Equal(ProtocolError.LengthMismatch, e.Error));
    }

    [Fact]
    public async Task A_message_frame_inside_a_transfer_is_refused()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        frames[2] = FrameCodec.Encode(FrameKind.Message, 2, "{}"u8);
        await AssertRefusedAsync<ProtocolException>(frames, e => Assert.Equal(ProtocolError.UnknownFrameKind, e.Error));
    }

    [Fact]
    public async Task A_length_above_the_receivers_limit_is_refused_before_any_content()
    {
        var frames = await Wire.FramesOfAsync(Header, Content);
        var error = await Assert.ThrowsAsync<ProtocolException>(() => FileReceiver.ReadHeaderAsync(Wire.Join(frames), Content.Length - 1, default));
        Assert.Equal(ProtocolError.Oversized, error.Error);
    }

    [Fact]
    public async Task A_negative_announced_length_is_refused()
    {
        var payload = Header.Encode();
        payload[0] = 0x80;
        var error = await Assert.ThrowsAsync<ProtocolException>(() =>
            FileReceiver.ReadHeaderAsync(new MemoryStream(FrameCodec.Encode(FrameKind.FileHeader, 0, payload)), Limit, default));
        Assert.Equal(ProtocolError.MalformedPayload, error.Error);
    }

    [Fact]
    public async Task An_unsafe_announced_name_is_refused()
    {
        var payload = (Header with { Name = "..x4103" }).Encode();
        payload[^5] = (byte)'/';
        var error = await Assert.ThrowsAsync<UnsafeFileNameException>(() =>
            FileReceiver.ReadHeaderAsync(new MemoryStream(FrameCodec.Encode(FrameKind.FileHeader, 0, payload)), Limit, default));
        Assert.Equal("../4103", error.FileName);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3 })]
    public async Task A_stream_that_is_not_a_transfer_is_refused(byte[] wire) =>
        await Assert.ThrowsAsync<ProtocolException>(() => FileReceiver.ReadHeaderAsync(new MemoryStream(wire), Limit, default));

    [Fact]
    public async Task A_sender_whose_source_is_shorter_than_announced_fails()
    {
        var error = await Assert.ThrowsAsync<FileContentMismatchException>(() =>
            FileSender.SendAsync(new ScriptedStream(ResumeOffset.Encode(0)), Header, new MemoryStream(Content[..^1]), progress: null, default));
        Assert.Contains("4103", error.Message);
    }

    private async Task AssertRefusedAsync<TException>(IEnumerable<byte[]> frames, Action<TException> check) where TException : Exception
    {
        var error = await Assert.ThrowsAsync<TException>(() => FileReceiver.ReceiveIntoAsync(Wire.Join(frames), _store, Limit, null, default));
        check(error);
        Assert.False(_store.Exists(Header.Name));
        Assert.Empty(_store.List());
        // Only what a retry of the same content may resume from stays behind (see ResumableTransferTests).
        Assert.All(_temp.FileNames(), name => Assert.True(PartialFile.IsResumableTempFileName(name), name));
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class RecordingProgress : IProgress<TransferProgress>
    {
        public List<TransferProgress> Reports { get; } = [];
        public void Report(TransferProgress value) => Reports.Add(value);
    }
}
