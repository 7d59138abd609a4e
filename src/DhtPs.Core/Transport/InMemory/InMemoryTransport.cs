using System.Net;
using DhtPs.Core.Protocol;

namespace DhtPs.Core.Transport.InMemory;

/// <summary>One peer's endpoint on an <see cref="InMemoryNetwork"/>.</summary>
internal sealed class InMemoryTransport(InMemoryNetwork network, IPEndPoint localEndPoint, Ingest ingest) : IPeerTransport
{
    private bool _disposed;

    public IPEndPoint LocalEndPoint { get; } = localEndPoint;

    /// <summary>Where everything that reaches this endpoint goes in.</summary>
    public Ingest Ingest { get; } = ingest;

    public void SendDatagram(IPEndPoint to, uint sequence, Message message)
    {
        if (!_disposed)
            network.SendDatagram(this, to, sequence, message);
    }

    public Task<Message> RequestAsync(IPEndPoint to, Message request, TimeSpan timeout, CancellationToken cancellationToken) =>
        _disposed
            ? Task.FromException<Message>(new TransportException(to, $"The transport at {LocalEndPoint} has been closed."))
            : network.RequestAsync(this, to, request, timeout, cancellationToken);

    public Task<Stream> OpenStreamAsync(IPEndPoint to, Message opening, TimeSpan connectTimeout, CancellationToken cancellationToken) =>
        _disposed
            ? Task.FromException<Stream>(new TransportException(to, $"The transport at {LocalEndPoint} has been closed."))
            : network.OpenStreamAsync(this, to, opening, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        network.Unbind(this);
        return ValueTask.CompletedTask;
    }
}
