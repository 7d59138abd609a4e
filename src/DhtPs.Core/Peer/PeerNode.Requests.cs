using System.Net;
using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>Asking other peers without ever blocking the logical thread.</summary>
public sealed partial class PeerNode
{
    private void Ask(PeerContact to, Message request, Action<Reply> onReply, TimeSpan? timeout = null) =>
        Ask(to.ToEndPoint(), request, onReply, timeout);

    /// <summary>
    /// Sends a request over TCP; the answer comes back later as work on the logical thread,
    /// so the handler may touch state like any other step.
    /// </summary>
    private void Ask(IPEndPoint to, Message request, Action<Reply> onReply, TimeSpan? timeout = null) =>
        _transport.RequestAsync(to, request, timeout ?? _options.RequestTimeout, CancellationToken.None)
            .ContinueWith(
                // An answer passed the ingest point like any input: one this peer cannot use arrives as a TransportException.
                task => Run(() =>
                {
                    if (task.IsCompletedSuccessfully)
                        AbsorbGossip(task.Result);
                    onReply(task.IsCompletedSuccessfully
                        ? new Reply(task.Result, null)
                        : new Reply(null, task.Exception?.GetBaseException() ?? new OperationCanceledException()));
                }),
                TaskContinuationOptions.ExecuteSynchronously);

    private Acknowledgement Ack() => new() { Sender = Contact, IdBits = Space.Bits };
}
