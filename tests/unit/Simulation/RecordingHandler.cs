using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Transport;

namespace DhtPs.Tests.Unit.Simulation;

/// <summary>A transport owner that records what arrives and answers every request with <see cref="Reply"/>.</summary>
internal sealed class RecordingHandler(Func<TimeSpan> now) : ITransportHandler
{
    public List<(TimeSpan At, IPEndPoint From, uint Sequence, Message Message)> Datagrams { get; } = [];
    public List<Message> Requests { get; } = [];
    public List<InputRefusal> Malformed { get; } = [];
    public Func<Message, Message> Reply { get; set; } = request => request;

    public IdSpace Space { get; } = new(8);

    public void OnDatagram(IPEndPoint from, uint sequence, Message message) => Datagrams.Add((now(), from, sequence, message));

    public Task<Message> OnRequestAsync(IPEndPoint from, Message request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return Task.FromResult(Reply(request));
    }

    /// <summary>Streams opened to this handler, with the server end; the test reads and writes it, then completes <see cref="StreamDone"/>.</summary>
    public List<(Message Opening, Stream Stream)> Streams { get; } = [];

    public TaskCompletionSource StreamDone { get; } = new();

    public Task OnStreamAsync(IPEndPoint from, Message opening, Stream stream, CancellationToken cancellationToken)
    {
        Streams.Add((opening, stream));
        return StreamDone.Task;
    }

    public Message? OnRefused(IPEndPoint from, InputRefusal refusal)
    {
        Malformed.Add(refusal);
        return null;
    }
}
