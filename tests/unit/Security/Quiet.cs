using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Security;

/// <summary>The handler of a stranger's bare transport: it only sends, so whatever reaches it is ignored.</summary>
internal sealed class Quiet : ITransportHandler
{
    public IdSpace Space { get; } = new(8);
    public void OnDatagram(IPEndPoint from, uint sequence, Message message) { }
    public Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken) => Task.FromException<Message>(new InvalidOperationException());
    public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken) => Task.CompletedTask;
    public Message? OnRefused(IPEndPoint from, InputRefusal refusal) => null;
}
