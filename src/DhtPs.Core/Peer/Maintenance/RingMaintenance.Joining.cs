using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer.Maintenance;

/// <summary>
/// SPEC §4, the newcomer's side of a join: ask a known peer, then wait for the verdict
/// (accepted with its successors, or refused) until a deadline.
/// </summary>
internal sealed partial class RingMaintenance
{
    private PendingJoin? _join;

    private sealed record PendingJoin(TaskCompletionSource<DhtPeer> Joined, ITimer Deadline);

    /// <summary>
    /// Joins the ring <paramref name="knownPeer"/> belongs to; <paramref name="joined"/> completes with the peer's state once
    /// the join is accepted, or fails with a <see cref="JoinException"/> on refusal or after <paramref name="timeout"/>.
    /// </summary>
    public void BeginJoin(PeerLocator knownPeer, TimeSpan timeout, TaskCompletionSource<DhtPeer> joined)
    {
        if (Status is not PeerStatus.Running || _neighborhood.Count > 0)
        {
            joined.SetException(new JoinException(JoinFailure.AlreadyInRing,
                $"Peer {Self.Id} is {(Status is PeerStatus.Joining ? "already joining a ring" : $"{Status} with successors")}; only a lone running peer can join a ring."));
            return;
        }
        _context.Status = PeerStatus.Joining;
        var deadline = _context.StartTimer(timeout, () => FailJoin(joined, JoinFailure.TimedOut,
            $"Peer {Self.Id} got no answer to its join request through {knownPeer} within {timeout.TotalSeconds:0.###} s."));
        _join = new PendingJoin(joined, deadline);
        _context.Ask(knownPeer.EndPoint, new JoinRequest { Sender = Self, IdBits = Space.Bits, Joiner = Self }, reply =>
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
        _context.Raise(DhtEventKind.JoinFailed, $"Join request failed: {reason}", null);
        _context.PublishSnapshot(); // Whoever is told the join failed reads the snapshot next, as after an accepted join.
        joined.SetException(new JoinException(failure, reason, inner));
        HandleDeferredJoins();
    }

    private void EndJoin()
    {
        _join!.Deadline.Dispose();
        _join = null;
        _context.Status = PeerStatus.Running;
    }

    private static JoinFailure FailureOf(ErrorCode code) => code switch
    {
        ErrorCode.IdTaken => JoinFailure.IdTaken,
        ErrorCode.IdOutOfRange => JoinFailure.IdOutOfRange,
        ErrorCode.IdBitsMismatch => JoinFailure.IdBitsMismatch,
        ErrorCode.Unreachable => JoinFailure.Unreachable,
        _ => JoinFailure.Refused,
    };

    public Message HandleJoinAccepted(JoinAccepted accepted)
    {
        if (_join is not { } pending)
            return Refuse(ErrorCode.NotJoining, $"Peer {Self.Id} is not joining a ring.");
        EndJoin();
        _context.Raise(DhtEventKind.JoinAccepted, "Join request has been accepted", accepted.Sender.Id);
        _neighborhood.SetSuccessors(ComposeSuccessors(accepted.Successors));
        AnnounceSuccessors(initial: true);
        // The acceptor is the first predecessor and its own first predecessor the second: known now, not at the first pings.
        _neighborhood.SetPredecessors([accepted.Sender, .. accepted.Predecessors.Where(p => p.Id != Self.Id)], _context.Now);
        Joined?.Invoke(accepted.Sender);
        pending.Joined.SetResult(_context.PublishSnapshot());
        HandleDeferredJoins();
        return Ack();
    }

    public Message HandleJoinRefused(JoinRefused refused)
    {
        if (_join is not { } pending)
            return Refuse(ErrorCode.NotJoining, $"Peer {Self.Id} is not joining a ring.");
        FailJoin(pending.Joined, FailureOf(refused.Code), refused.Reason);
        return Ack();
    }
}
