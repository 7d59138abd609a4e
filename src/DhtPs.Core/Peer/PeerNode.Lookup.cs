using DhtPs.Core.Protocol;

namespace DhtPs.Core.Peer;

/// <summary>
/// Lookups: who owns a key? Routed by the <see cref="Routing.Router"/> like every routed request; the owner answers
/// for itself, so an answer names a peer that was alive and owned the key when it answered (protocol.md 5.7).
/// </summary>
public sealed partial class PeerNode
{
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
        _router.StartLookup(key, timeout, answer =>
        {
            if (answer is { Outcome: RouteOutcome.Owner })
                found.TrySetResult(new DhtLookup(key, answer.Sender, answer.Hops));
            else
                found.TrySetException(answer is null
                    ? new LookupException(LookupFailure.TimedOut, $"No owner of key {key} answered Peer {Id} within {timeout.TotalSeconds:0.###} s.")
                    : new LookupException(LookupFailure.Unroutable, answer.Reason ?? $"The lookup of key {key} could not be routed."));
        });
    }
}
