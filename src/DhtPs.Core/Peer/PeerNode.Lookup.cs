using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;

namespace DhtPs.Core.Peer;

/// <summary>
/// Lookups in O(log N) hops: who owns a key? Routed recursively, like file requests: each hop forwards to the closest
/// peer before the key that it knows (<see cref="LookupRoute"/>), and the owner answers the origin directly. Recursive
/// rather than iterative because a hop that fails is best replaced by the peer that knows the alternatives (its own
/// fingers and successors), it costs one request per hop instead of two, and it is the shape file routing already has.
/// The owner always answers for itself, so an answer names a peer that was alive and owned the key when it answered.
/// The owner is the one of SPEC §7 (the first peer p with the key in (predecessor, p]), but, as in Chord's find_successor,
/// it is recognised by its predecessor's successor list (<see cref="LookupRequest.ToOwner"/>), never by its own
/// predecessor: that is learned from pings and lags a join or a crash by a ping round, while successor lists are
/// repaired at once. This costs a lookup from the owner itself a trip round the ring in O(log N) hops.
/// </summary>
public sealed partial class PeerNode
{
    /// <summary>Every forward goes strictly closer to the key, so this is only a guard against a peer that miscounts.</summary>
    private const int MaxLookupHops = 1 << 16;

    /// <summary>Lookups this peer started and is waiting on, by request id. Touched only on the logical thread.</summary>
    private readonly Dictionary<string, PendingLookup> _pendingLookups = new(StringComparer.Ordinal);

    private long _lookupSequence;

    /// <summary>A lookup's continuation, called once with the answer, or with null when none came in time.</summary>
    private sealed record PendingLookup(Action<LookupAnswer?> OnAnswer, ITimer Deadline);

    /// <summary>
    /// Finds the peer that owns <paramref name="key"/>: the first peer p with the key in (predecessor, p].
    /// Fails with a <see cref="LookupException"/> when no owner answers within <paramref name="timeout"/>.
    /// </summary>
    public Task<DhtLookup> LookupAsync(ulong key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!Space.Contains(key))
            throw new ArgumentOutOfRangeException(nameof(key), key, $"Key {key} is outside the {Space} (0..{Space.MaxId}).");
        var found = new TaskCompletionSource<DhtLookup>(_scheduler.CompletionOptions);
        if (Volatile.Read(ref _stopRequested) == 1)
            found.SetException(new LookupException(LookupFailure.NotRunning, $"Peer {Id} has stopped."));
        else
            Run(() => BeginLookup(key, timeout, found));
        return Measured("lookup", found.Task.WaitAsync(cancellationToken), lookup => lookup.Hops);
    }

    private void BeginLookup(ulong key, TimeSpan timeout, TaskCompletionSource<DhtLookup> found)
    {
        if (_status is not PeerStatus.Running)
        {
            found.SetException(new LookupException(LookupFailure.NotRunning, $"Peer {Id} is {_status}; it takes no lookups."));
            return;
        }
        StartLookup(key, timeout, answer =>
        {
            if (answer is { Outcome: LookupOutcome.Owner })
                found.TrySetResult(new DhtLookup(key, answer.Sender, answer.Hops));
            else
                found.TrySetException(answer is null
                    ? new LookupException(LookupFailure.TimedOut, $"No owner of key {key} answered Peer {Id} within {timeout.TotalSeconds:0.###} s.")
                    : new LookupException(LookupFailure.Unroutable, answer.Reason ?? $"The lookup of key {key} could not be routed."));
        });
    }

    /// <summary>Starts a lookup from this peer; <paramref name="onAnswer"/> runs on the logical thread.</summary>
    private void StartLookup(ulong key, TimeSpan timeout, Action<LookupAnswer?> onAnswer)
    {
        // Unique across this peer's incarnations too, so a late answer to a restarted peer's old lookup settles nothing.
        var requestId = $"{_startTime.UtcTicks:x}-{++_lookupSequence:x}";
        var deadline = Time.CreateTimer(_ => Run(() => SettleLookup(requestId, null)), null, timeout, Timeout.InfiniteTimeSpan);
        _pendingLookups.Add(requestId, new PendingLookup(onAnswer, deadline));
        RouteLookup(new LookupRequest { Sender = Contact, IdBits = Space.Bits, RequestId = requestId, Key = key, Origin = Contact });
    }

    private Message HandleLookupRequest(LookupRequest request)
    {
        if (_status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Id} is {_status} and takes no lookups.");
        RouteLookup(request);
        return Ack();
    }

    private void RouteLookup(LookupRequest request)
    {
        if (request.ToOwner || request.Key == Id || _successors.Count == 0)
            AnswerLookup(request, LookupOutcome.Owner, reason: null);
        else if (request.Hops >= MaxLookupHops)
            AnswerLookup(request, LookupOutcome.Unroutable, $"the lookup was forwarded {request.Hops} times without reaching the owner of key {request.Key}");
        else
            ForwardLookup(request, LookupRoute.NextHops(Space, _fingers, RoutingSuccessors(), request.Key), 0);
    }

    /// <summary>The live successors; while none is known alive, the dead candidates (they may be back).</summary>
    private IReadOnlyList<PeerContact> RoutingSuccessors() =>
        LiveSuccessors() is { Count: > 0 } live ? live : CurrentSuccessors();

    /// <summary>Passes the lookup to the first of <paramref name="hops"/> that takes it; a finger that does not is dropped.</summary>
    private void ForwardLookup(LookupRequest request, IReadOnlyList<LookupHop> hops, int index)
    {
        if (index == hops.Count)
        {
            AnswerLookup(request, LookupOutcome.Unroutable, $"Peer {Id} could pass the lookup of key {request.Key} to none of the {hops.Count} peer(s) it knows before it");
            return;
        }
        var next = hops[index];
        Ask(next.Peer, request with { Sender = Contact, Hops = request.Hops + 1, ToOwner = next.ToOwner }, reply =>
        {
            if (reply.Message is Acknowledgement)
                return;
            _fingers.Forget(next.Peer.Id);
            ForwardLookup(request, hops, index + 1);
        });
    }

    /// <summary>Tells the origin how its lookup ended; at the origin itself, settles it directly.</summary>
    private void AnswerLookup(LookupRequest request, LookupOutcome outcome, string? reason)
    {
        var answer = new LookupAnswer { Sender = Contact, IdBits = Space.Bits, RequestId = request.RequestId, Outcome = outcome, Hops = request.Hops, Reason = reason };
        if (request.Origin.Id == Id)
            SettleLookup(answer.RequestId, answer);
        else
            Ask(request.Origin, answer, _ => { });
    }

    private Acknowledgement HandleLookupAnswer(LookupAnswer answer)
    {
        SettleLookup(answer.RequestId, answer);
        return Ack();
    }

    private void SettleLookup(string requestId, LookupAnswer? answer)
    {
        if (!_pendingLookups.Remove(requestId, out var pending))
            return; // Already answered, or given up on.
        pending.Deadline.Dispose();
        pending.OnAnswer(answer);
    }

    /// <summary>A stopping peer hears no more answers: its waiting lookups end now, unanswered, instead of at their deadlines.</summary>
    private void AbandonLookups()
    {
        foreach (var requestId in _pendingLookups.Keys.ToArray())
            SettleLookup(requestId, null);
    }
}
