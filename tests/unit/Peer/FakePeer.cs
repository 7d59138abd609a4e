using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transfer;

namespace DhtPs.Tests.Unit.Peer;

/// <summary>
/// A hand-driven peer on real loopback sockets: a listener with a contact, and raw frames written to a real peer,
/// so tests can send what a well-behaved peer never would (forged uploads, a transfer that stops half-way).
/// </summary>
internal sealed class FakePeer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _connections = [];
    private readonly Channel<(Message Request, uint Sequence, NetworkStream Stream)> _requests = Channel.CreateUnbounded<(Message, uint, NetworkStream)>();
    private int _accepting;

    public FakePeer(ulong id)
    {
        _listener.Start();
        Contact = new PeerContact(id, "127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port);
    }

    public PeerContact Contact { get; }

    public IPEndPoint EndPoint => Contact.ToEndPoint();

    /// <summary>Connects to <paramref name="to"/> and sends <paramref name="opening"/> as a stream opening.</summary>
    public async Task<NetworkStream> OpenStreamAsync(PeerContact to, Message opening)
    {
        var stream = await ConnectAsync(to);
        await stream.WriteAsync(MessageCodec.EncodeOpening(opening, 1));
        return stream;
    }

    /// <summary>One request and its reply on a connection of its own.</summary>
    public async Task<Message> AskAsync(PeerContact to, Message request)
    {
        var stream = await ConnectAsync(to);
        await stream.WriteAsync(MessageCodec.Encode(request, 1));
        return await ReadMessageAsync(stream);
    }

    /// <summary>
    /// Takes the requests a real peer sends, on any connection it opened (a peer keeps its connections open and sends
    /// many requests on one), until one is a <typeparamref name="T"/>; the others are left unanswered.
    /// </summary>
    public async Task<(T Request, uint Sequence, NetworkStream Stream)> AcceptRequestAsync<T>() where T : Message
    {
        EnsureAccepting();
        while (true)
        {
            var (request, sequence, stream) = await _requests.Reader.ReadAsync();
            if (request is T wanted)
                return (wanted, sequence, stream);
        }
    }

    private void EnsureAccepting()
    {
        if (Interlocked.Exchange(ref _accepting, 1) == 0)
            _ = AcceptAllAsync();
    }

    private async Task AcceptAllAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync();
                lock (_connections)
                    _connections.Add(client);
                _ = ReadRequestsAsync(client.GetStream());
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private async Task ReadRequestsAsync(NetworkStream stream)
    {
        try
        {
            while (await FrameCodec.ReadAsync(stream, default) is { } frame)
                await _requests.Writer.WriteAsync((MessageCodec.DecodePayload(frame), frame.Sequence, stream));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or ProtocolException)
        {
            // The real peer closed the connection, or the fake was disposed.
        }
    }

    public static async Task SendHeaderAsync(Stream stream, TransferHeader header) =>
        await stream.WriteAsync(FrameCodec.Encode(FrameKind.FileHeader, 0, header.Encode()));

    public static async Task<Message> ReadMessageAsync(Stream stream) =>
        MessageCodec.DecodePayload((await FrameCodec.ReadAsync(stream, default).WaitAsync(TimeSpan.FromSeconds(10)))!.Value);

    private async Task<NetworkStream> ConnectAsync(PeerContact to)
    {
        var client = new TcpClient();
        lock (_connections)
            _connections.Add(client);
        await client.ConnectAsync(to.ToEndPoint());
        return client.GetStream();
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_connections)
            foreach (var connection in _connections)
                connection.Dispose();
    }
}
