using System.Net;
using System.Net.Sockets;

namespace DhtPs.Core.Transport;

/// <summary>Real sockets: a UDP socket and a TCP listener sharing one port number.</summary>
public sealed class SocketNetwork(TransportLimits limits) : INetwork
{
    public static SocketNetwork Instance { get; } = new(TransportLimits.Default);

    public TransportLimits Limits { get; } = limits;

    /// <summary>The connections this network's peers keep for their requests, idle-closed and capped together.</summary>
    internal KeptConnections KeptConnections { get; } = new(limits);

    private const int FreePortAttempts = 20;

    public Task<IPeerTransport> BindAsync(IPEndPoint localEndPoint, Ingest ingest, CancellationToken cancellationToken)
    {
        // Port 0: the OS picks a free TCP port; the same number must also be free for UDP, so retry on a clash.
        var attempts = localEndPoint.Port == 0 ? FreePortAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var listener = new Socket(localEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Socket? datagram = null;
            try
            {
                // "::" serves IPv4 peers too, as "every interface" promises.
                var dualMode = localEndPoint.Address.Equals(IPAddress.IPv6Any);
                if (dualMode)
                    listener.DualMode = true;
                listener.Bind(localEndPoint);
                listener.Listen(backlog: 128);
                var bound = (IPEndPoint)listener.LocalEndPoint!;
                datagram = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                if (dualMode)
                    datagram.DualMode = true;
                datagram.Bind(bound);
                return Task.FromResult<IPeerTransport>(new SocketTransport(bound, datagram, listener, ingest, Limits, KeptConnections));
            }
            catch (SocketException) when (attempt < attempts)
            {
                listener.Dispose();
                datagram?.Dispose();
            }
            catch
            {
                listener.Dispose();
                datagram?.Dispose();
                throw;
            }
        }
    }
}
