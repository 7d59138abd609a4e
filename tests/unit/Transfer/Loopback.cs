using System.Net;
using System.Net.Sockets;

namespace DhtPs.Tests.Unit.Transfer;

/// <summary>A real TCP connection on loopback (port 0, so parallel runs never collide).</summary>
internal sealed class Loopback : IDisposable
{
    private readonly TcpClient _client;
    private readonly TcpClient _server;

    private Loopback(TcpClient client, TcpClient server) => (_client, _server) = (client, server);

    public Stream Client => _client.GetStream();
    public Stream Server => _server.GetStream();

    public static async Task<Loopback> ConnectAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await listener.AcceptTcpClientAsync();
        await connecting;
        return new Loopback(client, server);
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }
}
