using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// SPEC §4, the newcomer's side of a join: ask a known peer, then wait for the verdict
/// (accepted with its successors, or refused) until a deadline.
/// </summary>
public sealed partial class PeerNode
{
    private PendingJoin? _join;

    private sealed record PendingJoin(TaskCompletionSource<DhtPeer> Joined, ITimer Deadline);

    /// <summary>
    /// Joins the ring <paramref name="knownPeer"/> belongs to. Completes with the peer's state once the join is accepted;
    /// fails with a <see cref="JoinException"/> on refusal or after <paramref name="timeout"/>, leaving a ring of one.
    /// </summary>
    public Task<DhtPeer> JoinAsync(PeerLocator knownPeer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var joined = new TaskCompletionSource<DhtPeer>(_scheduler.CompletionOptions);
        Run(() => BeginJoin(knownPeer, timeout, joined));
        return Measured("join", joined.Task.WaitAsync(cancellationToken), _ => null);
    }

    private void BeginJoin(PeerLocator knownPeer, TimeSpan timeout, TaskCompletionSource<DhtPeer> joined)
    {
        if (_status is not PeerStatus.Running || _neighborhood.Count > 0)
        {
            joined.SetException(new JoinException(JoinFailure.AlreadyInRing,
                $"Peer {Id} is {(_status is PeerStatus.Joining ? "already joining a ring" : $"{_status} with successors")}; only a lone running peer can join a ring."));
            return;
        }
        _status = PeerStatus.Joining;
        var deadline = Time.CreateTimer(_ => Run(() => FailJoin(joined, JoinFailure.TimedOut,
            $"Peer {Id} got no answer to its join request through {knownPeer} within {timeout.TotalSeconds:0.###} s.")),
            null, timeout, Timeout.InfiniteTimeSpan);
        _join = new PendingJoin(joined, deadline);
        Ask(knownPeer.EndPoint, new JoinRequest { Sender = Contact, IdBits = Space.Bits, Joiner = Contact }, reply =>
        {
            if (reply.Failure is { } failure)
                FailJoin(joined, JoinFailure.Unreachable, $"The join request through {knownPeer} failed: {failure.Message}", failure);
            else if (reply.Message is ErrorResponse error)
                FailJoin(joined, FailureOf(error.Code), error.Reason);
        });
    }

    private void FailJoin(TaskCompletionSource<DhtPeer> joined, JoinFailure failure, string reason, Exception? inner = null)
    {
        if (_join?.Joined != joined)
            return; // That join has already been settled.
        EndJoin();
        Raise(DhtEventKind.JoinFailed, $"Join request failed: {reason}");
        PublishSnapshot(); // Whoever is told the join failed reads the snapshot next, as after an accepted join.
        joined.SetException(new JoinException(failure, reason, inner));
        HandleDeferredJoins();
    }

    private void EndJoin()
    {
        _join!.Deadline.Dispose();
        _join = null;
        _status = PeerStatus.Running;
    }

    private static JoinFailure FailureOf(ErrorCode code) => code switch
    {
        ErrorCode.IdTaken => JoinFailure.IdTaken,
        ErrorCode.IdOutOfRange => JoinFailure.IdOutOfRange,
        ErrorCode.IdBitsMismatch => JoinFailure.IdBitsMismatch,
        ErrorCode.Unreachable => JoinFailure.Unreachable,
        _ => JoinFailure.Refused,
    };

    private Message HandleJoinAccepted(JoinAccepted accepted)
    {
        if (_join is not { } pending)
            return Refuse(ErrorCode.NotJoining, $"Peer {Id} is not joining a ring.");
        EndJoin();
        Raise(DhtEventKind.JoinAccepted, "Join request has been accepted", accepted.Sender.Id);
        SetSuccessors(ComposeSuccessors(accepted.Successors));
        AnnounceSuccessors(initial: true);
        // The acceptor is the first predecessor and its own first predecessor the second: known now, not at the first pings.
        var now = Time.GetUtcNow();
        _neighborhood.SetPredecessors([accepted.Sender, .. accepted.Predecessors.Where(p => p.Id != Id)], now);
        RequestTakeOver(accepted.Sender);
        PublishSnapshot();
        pending.Joined.SetResult(Snapshot);
        HandleDeferredJoins();
        return Ack();
    }

    private Message HandleJoinRefused(JoinRefused refused)
    {
        if (_join is not { } pending)
            return Refuse(ErrorCode.NotJoining, $"Peer {Id} is not joining a ring.");
        FailJoin(pending.Joined, FailureOf(refused.Code), refused.Reason);
        return Ack();
    }
}
