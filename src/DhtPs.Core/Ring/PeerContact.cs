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

    /// <summary>False, with the reason, when the contact cannot be dialled (it came off the wire unchecked).</summary>
    public bool IsReachable(out string reason)
    {
        reason = Host is null || !IPAddress.TryParse(Host, out _) ? $"host '{Host}' is not an IP address"
            : Port is < 1 or > IPEndPoint.MaxPort ? $"port {Port} is not between 1 and {IPEndPoint.MaxPort}"
            : "";
        return reason.Length == 0;
    }

    public override string ToString() => $"{Id}@{EndPoint}";
}
