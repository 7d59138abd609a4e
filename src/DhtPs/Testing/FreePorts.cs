using System.Net;
using System.Net.Sockets;

namespace DhtPs.Testing;

/// <summary>Ports the OS hands out as free for TCP that are also free for UDP, so parallel test runs never collide.</summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            try
            {
                var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
                if (!ports.Contains(port) && IsFreeForUdp(port))
                    ports.Add(port);
            }
            finally
            {
                tcp.Stop();
            }
        }
        return [.. ports];
    }

    /// <summary>True when nothing listens on the port, by TCP or UDP (Remove-DhtTestRing's promise).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            tcp.Stop();
        }
        catch (SocketException)
        {
            return false;
        }
        return IsFreeForUdp(port);
    }

    private static bool IsFreeForUdp(int port)
    {
        try
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
