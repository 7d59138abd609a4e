using System.Net;

namespace DhtPs.Core.Transport;

/// <summary>A peer could not be reached, or did not answer in time.</summary>
public sealed class TransportException(IPEndPoint remote, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public IPEndPoint Remote { get; } = remote;
}
