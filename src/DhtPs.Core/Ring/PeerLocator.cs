using System.Net;
using System.Net.Sockets;

namespace DhtPs.Core.Ring;

/// <summary>
/// A peer as a user names it: a bare id (127.0.0.1:12000+id), <c>host:port</c>
/// (id learned on contact), or <c>id@host:port</c>.
/// </summary>
public sealed record PeerLocator(ulong? Id, IPEndPoint EndPoint)
{
    public static PeerLocator Parse(string text)
    {
        if (!TryParse(text, out var locator, out var error))
            throw new FormatException(error);
        return locator;
    }

    public static bool TryParse(string? text, out PeerLocator locator, out string error)
    {
        locator = null!;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "A peer must be named by an id, host:port or id@host:port.";
            return false;
        }

        ulong? id = null;
        var endpointText = text;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            if (!ulong.TryParse(text.AsSpan(0, at), out var parsedId))
            {
                error = $"'{text}' does not start with a numeric peer id before '@'.";
                return false;
            }
            id = parsedId;
            endpointText = text[(at + 1)..];
        }
        else if (ulong.TryParse(text, out var bareId))
        {
            if (bareId > (ulong)(IPEndPoint.MaxPort - PeerContact.DefaultBasePort))
            {
                error = $"Peer id {bareId} has no default port; name it as id@host:port.";
                return false;
            }
            locator = new PeerLocator(bareId, PeerContact.ForId(bareId).ToEndPoint());
            error = "";
            return true;
        }

        if (!TryParseEndPoint(endpointText, out var endPoint))
        {
            error = $"'{endpointText}' is not host:port with a resolvable host and a port from 1 to 65535.";
            return false;
        }
        locator = new PeerLocator(id, endPoint);
        error = "";
        return true;
    }

    private static bool TryParseEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port > 0)
        {
            endPoint = parsed;
            return true;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is <= 0 or > IPEndPoint.MaxPort)
            return false;
        try
        {
            var address = Dns.GetHostAddresses(text[..colon])
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
            if (address is null)
                return false;
            endPoint = new IPEndPoint(address, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public override string ToString() => Id is { } id ? $"{id}@{EndPoint}" : EndPoint.ToString();
}
