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
                task => Run(() => onReply(task.IsCompletedSuccessfully
                    ? new Reply(task.Result, null)
                    : new Reply(null, task.Exception?.GetBaseException() ?? new OperationCanceledException()))),
                TaskContinuationOptions.ExecuteSynchronously);

    private Acknowledgement Ack() => new() { Sender = Contact, IdBits = Space.Bits };

    private static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

    /// <summary>"first", "second", … as the original says; "11th" and so on past ten.</summary>
    private static string Ordinal(int index) => index < Ordinals.Length ? Ordinals[index] : $"{index + 1}th";

    /// <summary>Says what the successor list now is, in the original's words ("My new first successor is Peer 15").</summary>
    private void AnnounceSuccessors(bool initial = false)
    {
        var successors = CurrentSuccessors();
        for (var i = 0; i < successors.Count; i++)
        {
            var id = successors[i].Id;
            Raise(DhtEventKind.SuccessorChanged,
                initial ? $"My {Ordinal(i)} successor is Peer {id}" : $"My new {Ordinal(i)} successor is Peer {id}", id);
        }
    }

    /// <summary>Like <see cref="AnnounceSuccessors"/>, but only for the places whose peer differs from <paramref name="previous"/>.</summary>
    private void AnnounceChangedSuccessors(IReadOnlyList<ulong> previous)
    {
        var successors = CurrentSuccessors();
        for (var i = 0; i < successors.Count; i++)
        {
            var id = successors[i].Id;
            if (i >= previous.Count || previous[i] != id)
                Raise(DhtEventKind.SuccessorChanged, $"My new {Ordinal(i)} successor is Peer {id}", id);
        }
    }
}
