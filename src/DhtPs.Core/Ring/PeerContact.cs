using System.Net;

namespace DhtPs.Core.Ring;

/// <summary>How to reach a peer: its id and the endpoint it listens on (UDP and TCP share the port).</summary>
public sealed record PeerContact(ulong Id, string Host, int Port)
{
    public const int DefaultBasePort = 12000;
    public const string DefaultHost = "127.0.0.1";

    public static PeerContact ForId(ulong id) => new(id, DefaultHost, checked(DefaultBasePort + (int)id));

    public IPEndPoint ToEndPoint() => new(IPAddress.Parse(Host), Port);

    public string EndPoint => $"{Host}:{Port}";

    public override string ToString() => $"{Id}@{EndPoint}";
}
