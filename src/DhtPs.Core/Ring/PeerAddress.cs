using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DhtPs.Core.Ring;

/// <summary>
/// A peer as a user names it, not yet resolved: a bare id (<c>4</c>), <c>host:port</c> (id learned on contact) or
/// <c>id@host:port</c>. Hosts are IPv4 or IPv6 addresses (IPv6 in brackets: <c>[::1]:12004</c>) or host names,
/// looked up only by <see cref="ResolveAsync"/>. A bare id gets its host and port at resolution, from the caller's
/// defaults (12000 + id on 127.0.0.1 unless the session says otherwise), so the default applies only where no port is given.
/// The same type is every cmdlet's -Via and -KnownPeer: PowerShell converts a string or a number to it.
/// </summary>
public sealed record PeerAddress
{
    private PeerAddress(ulong? id, string? host, int? port) => (Id, Host, Port) = (id, host, port);

    /// <summary>A bare id (any whole number): PowerShell binds -Via 8 and a piped peer's Id through this.</summary>
    public PeerAddress(ulong id) : this(id, null, null)
    {
    }

    /// <summary>Parses <paramref name="text"/> (see <see cref="TryParse"/>); PowerShell converts strings through this.</summary>
    /// <exception cref="FormatException">The text names no peer.</exception>
    public PeerAddress(string text)
    {
        if (!TryParse(text, out var parsed, out var error))
            throw new FormatException(error);
        (Id, Host, Port) = (parsed.Id, parsed.Host, parsed.Port);
    }

    public ulong? Id { get; }

    /// <summary>An IP address or host name; null for a bare id.</summary>
    public string? Host { get; }

    /// <summary>Null for a bare id.</summary>
    public int? Port { get; }

    /// <summary>A bare id names no host and no port: the caller's defaults supply them.</summary>
    public bool IsBareId => Host is null;

    public static PeerAddress Parse(string text) => new(text);

    public static PeerAddress ForEndPoint(IPEndPoint endPoint, ulong? id = null) =>
        new(id, endPoint.Address.ToString(), endPoint.Port);

    public static bool TryParse(string? text, out PeerAddress address, out string error)
    {
        address = null!;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "A peer must be named by an id, host:port or id@host:port.";
            return false;
        }
        ulong? id = null;
        var hostPort = text;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            if (!ulong.TryParse(text.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out var parsedId))
            {
                error = $"'{text}' does not start with a numeric peer id before '@'.";
                return false;
            }
            id = parsedId;
            hostPort = text[(at + 1)..];
        }
        else if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bareId))
        {
            address = new PeerAddress(bareId);
            error = "";
            return true;
        }
        if (!TrySplitHostPort(hostPort, out var host, out var port))
        {
            error = $"'{hostPort}' is not host:port (an IPv6 host in brackets, e.g. [::1]:12004) with a port from 1 to 65535.";
            return false;
        }
        address = new PeerAddress(id, host, port);
        error = "";
        return true;
    }

    private static bool TrySplitHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > IPEndPoint.MaxPort)
            return false;
        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return false;
            host = v6.ToString();
            return true;
        }
        if (host.Contains(':'))
            return false; // An IPv6 address without brackets: its last group would read as the port.
        return IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns;
    }

    /// <summary>
    /// The endpoint, without a lookup when the host is an IP address (or for a bare id); false for a host name.
    /// A bare id resolves to <paramref name="defaultHost"/>:<paramref name="basePort"/> + id.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A bare id whose default port would pass 65535.</exception>
    public bool TryGetEndPoint(int basePort, string defaultHost, out IPEndPoint endPoint)
    {
        if (IsBareId)
        {
            if (Id > (ulong)(IPEndPoint.MaxPort - basePort))
                throw new ArgumentOutOfRangeException(nameof(basePort), $"Peer id {Id} has no default port ({basePort} + id passes {IPEndPoint.MaxPort}); name it as id@host:port.");
            endPoint = new IPEndPoint(IPAddress.Parse(defaultHost), basePort + (int)Id!.Value);
            return true;
        }
        if (IPAddress.TryParse(Host, out var address))
        {
            endPoint = new IPEndPoint(address, Port!.Value);
            return true;
        }
        endPoint = null!;
        return false;
    }

    /// <summary>
    /// Where the peer is, looking a host name up asynchronously (IPv4 preferred, then IPv6). A bare id resolves
    /// to <paramref name="defaultHost"/>:<paramref name="basePort"/> + id.
    /// </summary>
    /// <exception cref="PeerAddressException">The host name does not resolve, or the bare id has no default port.</exception>
    public async Task<PeerLocator> ResolveAsync(int basePort = PeerContact.DefaultBasePort, string defaultHost = PeerContact.DefaultHost,
        CancellationToken cancellationToken = default)
    {
        try
        {
            if (TryGetEndPoint(basePort, defaultHost, out var known))
                return new PeerLocator(Id, known);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new PeerAddressException(this, e.Message, e);
        }
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(Host!, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new PeerAddressException(this, $"Host '{Host}' could not be resolved: {e.Message}", e);
        }
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6)
            ?? throw new PeerAddressException(this, $"Host '{Host}' has no IPv4 or IPv6 address.");
        return new PeerLocator(Id, new IPEndPoint(address, Port!.Value));
    }

    public override string ToString()
    {
        if (IsBareId)
            return Id!.Value.ToString(CultureInfo.InvariantCulture);
        var host = Host!.Contains(':') ? $"[{Host}]" : Host;
        return Id is { } id ? $"{id}@{host}:{Port}" : $"{host}:{Port}";
    }
}

/// <summary>A <see cref="PeerAddress"/> that does not lead to an endpoint.</summary>
public sealed class PeerAddressException(PeerAddress address, string message, Exception? inner = null) : Exception(message, inner)
{
    public PeerAddress Address { get; } = address;
}
