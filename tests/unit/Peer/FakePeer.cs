using System.Net;
using System.Net.Sockets;
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

    /// <summary>Accepts connections from a real peer until one carries a <typeparamref name="T"/>, leaving the others unanswered.</summary>
    public async Task<(T Request, uint Sequence, NetworkStream Stream)> AcceptRequestAsync<T>() where T : Message
    {
        while (true)
        {
            var client = await _listener.AcceptTcpClientAsync();
            _connections.Add(client);
            var stream = client.GetStream();
            var frame = (await FrameCodec.ReadAsync(stream, default))!.Value;
            if (MessageCodec.DecodePayload(frame) is T request)
                return (request, frame.Sequence, stream);
        }
    }

    public static async Task SendHeaderAsync(Stream stream, TransferHeader header) =>
        await stream.WriteAsync(FrameCodec.Encode(FrameKind.FileHeader, 0, header.Encode()));

    public static async Task<Message> ReadMessageAsync(Stream stream) =>
        MessageCodec.DecodePayload((await FrameCodec.ReadAsync(stream, default).WaitAsync(TimeSpan.FromSeconds(10)))!.Value);

    private async Task<NetworkStream> ConnectAsync(PeerContact to)
    {
        var client = new TcpClient();
        _connections.Add(client);
        await client.ConnectAsync(to.ToEndPoint());
        return client.GetStream();
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
            connection.Dispose();
        _listener.Stop();
    }
}
