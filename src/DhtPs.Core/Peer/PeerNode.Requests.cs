using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>Asking other peers without ever blocking the logical thread.</summary>
public sealed partial class PeerNode
{
    /// <summary>Another peer's answer, or why there is none (unreachable, timed out).</summary>
    private readonly record struct Reply(Message? Message, Exception? Failure);

    private void Ask(PeerContact to, Message request, Action<Reply> onReply) => Ask(to.ToEndPoint(), request, onReply);

    /// <summary>
    /// Sends a request over TCP; the answer comes back later as work on the logical thread,
    /// so the handler may touch state like any other step.
    /// </summary>
    private void Ask(IPEndPoint to, Message request, Action<Reply> onReply) =>
        _transport.RequestAsync(to, request, _options.RequestTimeout, CancellationToken.None)
            .ContinueWith(
                task => Run(() => onReply(task.IsCompletedSuccessfully
                    ? new Reply(task.Result, null)
                    : new Reply(null, task.Exception?.GetBaseException() ?? new OperationCanceledException()))),
                TaskContinuationOptions.ExecuteSynchronously);

    private Acknowledgement Ack() => new() { Sender = Contact, IdBits = Space.Bits };

    /// <summary>Says what the successor list now is, in the original's words ("My new first successor is Peer 15").</summary>
    private void AnnounceSuccessors(bool initial = false)
    {
        var ordinals = new[] { "first", "second" };
        var successors = CurrentSuccessors();
        for (var i = 0; i < Math.Min(successors.Count, ordinals.Length); i++)
        {
            var id = successors[i].Id;
            Raise(DhtEventKind.SuccessorChanged,
                initial ? $"My {ordinals[i]} successor is Peer {id}" : $"My new {ordinals[i]} successor is Peer {id}", id);
        }
    }
}
