using System.Net;
using System.Security.Cryptography;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;
using DhtPs.Core.Transfer;
using DhtPs.Core.Transport;
using DhtPs.Core.Transport.InMemory;
using DhtPs.Simulation;
using DhtPs.Tests.Unit.Simulation;

namespace DhtPs.Tests.Unit.Transport;

/// <summary>The stream seam: a connection opened with a message, then handed whole to the receiver's handler.</summary>
public sealed class StreamTransportTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static FileUpload Opening(ulong from = 8) => new() { Sender = new PeerContact(from, "127.0.0.1", 12008), IdBits = 8 };

    [Fact]
    public async Task A_file_travels_over_a_real_socket_stream_opened_with_a_message_and_is_confirmed()
    {
        var content = RandomNumberGenerator.GetBytes(3 * FileSender.ChunkLength + 17);
        var header = new TransferHeader("2067", content.Length, Convert.ToHexStringLower(SHA256.HashData(content)));
        var store = new FileStore(_temp.Path, new IdSpace(8));
        var receiver = new StoringHandler(store);
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await SocketNetwork.Instance.BindAsync(AnyLoopback, new StoringHandler(store), default);

        await using (var stream = await client.OpenStreamAsync(server.LocalEndPoint, Opening(), Timeout, default))
        {
            await FileSender.SendAsync(stream, header, new MemoryStream(content), progress: null, default);
            var reply = await FrameCodec.ReadAsync(stream, default);
            Assert.IsType<Acknowledgement>(MessageCodec.DecodePayload(reply!.Value));
        }

        var opening = Assert.IsType<FileUpload>(await receiver.Opened.Task.WaitAsync(Timeout));
        Assert.Equal(8UL, opening.Sender.Id);
        Assert.Equal(content, await File.ReadAllBytesAsync(_temp.File("2067")));
    }

    [Fact]
    public async Task Requests_still_get_their_one_frame_answer_on_the_same_listener()
    {
        var receiver = new StoringHandler(new FileStore(_temp.Path, new IdSpace(8)));
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        await using var client = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);

        var answer = await client.RequestAsync(server.LocalEndPoint, Opening(), Timeout, default);

        Assert.IsType<Acknowledgement>(answer);
        Assert.False(receiver.Opened.Task.IsCompleted);
    }

    [Fact]
    public async Task A_stream_opening_after_a_request_on_the_same_connection_is_refused_and_counted()
    {
        var receiver = new StoringHandler(new FileStore(_temp.Path, new IdSpace(8)));
        await using var server = await SocketNetwork.Instance.BindAsync(AnyLoopback, receiver, default);
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(server.LocalEndPoint);
        var stream = client.GetStream();

        await stream.WriteAsync(MessageCodec.Encode(Opening(), 1));
        Assert.IsType<Acknowledgement>(MessageCodec.DecodePayload((await FrameCodec.ReadAsync(stream, default))!.Value));
        await stream.WriteAsync(MessageCodec.EncodeOpening(Opening(), 2));

        var refusal = await receiver.Malformed.Task.WaitAsync(Timeout);
        Assert.Equal(RefusalKind.Malformed, refusal.Kind);
        Assert.Contains("Only a connection's first frame may open a stream", refusal.Reason);
        Assert.Null(await FrameCodec.ReadAsync(stream, default).WaitAsync(Timeout));
        Assert.False(receiver.Opened.Task.IsCompleted);
    }

    [Fact]
    public async Task Opening_a_stream_to_a_closed_port_is_a_transport_error()
    {
        await using var client = await SocketNetwork.Instance.BindAsync(AnyLoopback, new StoringHandler(new FileStore(_temp.Path, new IdSpace(8))), default);
        int closedPort;
        await using (var gone = await SocketNetwork.Instance.BindAsync(AnyLoopback, new StoringHandler(new FileStore(_temp.Path, new IdSpace(8))), default))
            closedPort = gone.LocalEndPoint.Port;

        await Assert.ThrowsAsync<TransportException>(() => client.OpenStreamAsync(new IPEndPoint(IPAddress.Loopback, closedPort), Opening(), Timeout, default));
    }

    [Fact]
    public async Task The_in_memory_network_connects_a_duplex_stream_and_refuses_an_unbound_endpoint()
    {
        var network = new InMemoryNetwork(new SimulatedTimeProvider(), new Random(1), roundTripThroughCodec: true);
        var atB = new RecordingHandler(() => TimeSpan.Zero);
        var a = await network.BindAsync(IPEndPoint.Parse("10.0.0.1:12000"), new RecordingHandler(() => TimeSpan.Zero), default);
        var b = await network.BindAsync(IPEndPoint.Parse("10.0.0.2:12000"), atB, default);

        await using var client = await a.OpenStreamAsync(b.LocalEndPoint, Opening(), Timeout, default);
        var (opening, server) = Assert.Single(atB.Streams);
        Assert.IsType<FileUpload>(opening);

        await client.WriteAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        await server.ReadExactlyAsync(buffer);
        Assert.Equal("ping"u8.ToArray(), buffer);
        await server.WriteAsync("pong"u8.ToArray());
        await client.ReadExactlyAsync(buffer);
        Assert.Equal("pong"u8.ToArray(), buffer);

        await client.DisposeAsync();
        Assert.Equal(0, await server.ReadAsync(buffer));
        atB.StreamDone.SetResult();
        await Assert.ThrowsAsync<TransportException>(() => a.OpenStreamAsync(IPEndPoint.Parse("10.0.0.3:12000"), Opening(), Timeout, default));
    }

    /// <summary>Receives each opened stream into a store and confirms it; answers requests with an acknowledgement.</summary>
    private sealed class StoringHandler(FileStore store) : ITransportHandler
    {
        public TaskCompletionSource<Message> Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnDatagram(IPEndPoint from, uint sequence, Message message)
        {
        }

        public Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken) =>
            Task.FromResult<Message>(new Acknowledgement { Sender = request.Sender, IdBits = request.IdBits });

        public async Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken)
        {
            await FileReceiver.ReceiveIntoAsync(stream, store, long.MaxValue, progress: null, cancellationToken);
            await stream.WriteAsync(MessageCodec.Encode(new Acknowledgement { Sender = opening.Sender, IdBits = 8 }, 0), cancellationToken);
            Opened.SetResult(opening);
        }

        public TaskCompletionSource<InputRefusal> Malformed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IdSpace Space { get; } = new(8);

        public Message? OnRefused(IPEndPoint from, InputRefusal refusal)
        {
            Malformed.TrySetResult(refusal);
            return null;
        }
    }
}
