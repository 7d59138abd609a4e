using System.Net;
using System.Text.Json.Serialization;

namespace DhtPs.Core.Ring;

/// <summary>How to reach a peer: its id and the endpoint it listens on (UDP and TCP share the port).</summary>
public sealed record PeerContact(ulong Id, string Host, int Port)
{
    public const int DefaultBasePort = 12000;
    public const string DefaultHost = "127.0.0.1";

    public static PeerContact ForId(ulong id) => new(id, DefaultHost, checked(DefaultBasePort + (int)id));

    public IPEndPoint ToEndPoint() => new(IPAddress.Parse(Host), Port);

    /// <summary>host:port, with IPv6 hosts in brackets.</summary>
    [JsonIgnore]
    public string EndPoint => ToEndPoint().ToString();

    /// <summary>
    /// False, with the reason, when the contact cannot be dialled (it came off the wire unchecked): its host must be one
    /// unicast IP address (loopback allowed), so no message can make a peer send to every host or to none.
    /// </summary>
    public bool IsReachable(out string reason)
    {
        reason = Host is null || !IPAddress.TryParse(Host, out var address) || !IsWrittenOut(Host, address) ? $"host '{Host}' is not an IP address"
            : NotUnicast(address) is { } why ? $"host {Host} is {why}, not one peer's address"
            : Port is < 1 or > IPEndPoint.MaxPort ? $"port {Port} is not between 1 and {IPEndPoint.MaxPort}"
            : "";
        return reason.Length == 0;
    }

    /// <summary>An IPv4 address in its four dotted parts, or an IPv6 one with its colons: not "1", which the parser reads as 0.0.0.1.</summary>
    private static bool IsWrittenOut(string host, IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? host.Contains(':') : host.Count(c => c == '.') == 3;

    /// <summary>Why <paramref name="address"/> names no single host (unspecified, broadcast, multicast), or null when it is unicast.</summary>
    public static string? NotUnicast(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return "the unspecified address";
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 0)
            return "in 0.0.0.0/8 (this network)";
        if (address.Equals(IPAddress.Broadcast))
            return "the broadcast address";
        if (address.IsIPv6Multicast || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0))
            return "a multicast address";
        return null;
    }

    public override string ToString() => $"{Id}@{EndPoint}";
}
