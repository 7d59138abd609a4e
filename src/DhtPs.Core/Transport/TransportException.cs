using System.Net;

namespace DhtPs.Core.Transport;

/// <summary>A peer could not be reached, or did not answer in time.</summary>
public class TransportException(IPEndPoint remote, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public IPEndPoint Remote { get; } = remote;
}

/// <summary>
/// The other peer refused this one's authentication, or could not prove its own: another ring secret, none on one
/// side, or a replay. The peer is alive and answered; it is not of this ring, so it is never taken for a dead peer.
/// </summary>
public sealed class DhtAuthenticationException(IPEndPoint remote, string message, Exception? inner = null)
    : TransportException(remote, message, inner);
