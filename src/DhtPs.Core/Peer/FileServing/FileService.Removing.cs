using DhtPs.Core.Protocol;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// Remove-DhtFile (protocol.md 8.9): the request is routed to the key's owner, which records a tombstone at a version
/// above every write of the name it knows, deletes its bytes, and gives the tombstone to its holders like any file of its
/// range (<see cref="ReplicaSync"/>). The removal is acknowledged once the write quorum holds the tombstone. A store of
/// the name afterwards gets a higher version still, so it wins; a copy left on a peer that was away loses to the
/// tombstone until the tombstone expires (<see cref="PeerOptions.TombstoneLifetime"/>).
/// </summary>
internal sealed partial class FileService
{
    /// <summary>Removes <paramref name="name"/> from the ring; returns what the owner recorded (its version, the copies of the tombstone).</summary>
    /// <exception cref="UnsafeFileNameException">The name is not a safe file name.</exception>
    /// <exception cref="DhtFileException">The request was not routed, timed out, or fewer holders than the write quorum confirmed the removal.</exception>
    public async Task<DhtFileInfo> RemoveAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        FileName.EnsureSafe(name);
        var key = FileKey.Of(name, Space);
        var started = _context.Time.GetTimestamp();
        var request = new RemoveRequest { Sender = Self, IdBits = Space.Bits, RequestId = _context.NewRequestId(), Name = name, Key = key, Origin = Self };
        var pending = new PendingFileRequest(name, destination: null, progress: null, cancellationToken, _context.CompletionOptions);
        RouteAnswer answer;
        try
        {
            answer = await RouteFromHereAsync(request, pending, timeout, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("A removal is never answered with a delivery.");
        }
        finally
        {
            _context.Post(() => EndFileRequest(request.RequestId));
        }
        if (answer.Outcome != RouteOutcome.Removed)
            throw new DhtFileException(DhtFileFailure.Unroutable, $"Removing {name} did not reach its owner: {answer.Reason}", answer.Sender.Id);
        if (answer.Reason is { } shortOfQuorum)
            throw new DhtFileException(DhtFileFailure.TransferFailed, shortOfQuorum, answer.Sender.Id);
        return new DhtFileInfo(name, key, answer.Sender.Id, 0, FileDigest.Empty, answer.Hops, _context.Time.GetElapsedTime(started))
        {
            Replicas = answer.Copies,
            Version = answer.Version,
        };
    }

    /// <summary>At the owner: records the tombstone (off the logical thread), gives it to the holders, and answers once the write quorum has it.</summary>
    private void RemoveAsOwner(RemoveRequest request)
    {
        var version = NextVersion(request.Name, request.Origin.Id);
        var holders = Replicates ? ReplicaHolders() : [];
        var after = _neighborhood.FirstPredecessor?.Id ?? Self.Id;
        _context.RunInBackground(async () =>
        {
            if (!Files.Remove(request.Name, version, _context.Time.GetUtcNow()))
            {
                var newer = Files.Find(request.Name)?.Version;
                _context.Post(() => _context.AnswerRoute(request, RouteOutcome.Removed,
                    $"{request.Name} was stored again at Peer {Self.Id} while it was being removed (version {newer}); the newer file stays.", copies: 0, version: version));
                return;
            }
            _context.Post(() => _context.Raise(DhtEventKind.FileRemoved, $"File {request.Name} removed (version {version})", request.Origin.Id));
            var tombstone = ReplicaEntry.Of(Files.Find(request.Name)!);
            var confirmed = await Task.WhenAll(holders.Select(holder => SyncHolderAsync(holder, after, [[tombstone]]))).ConfigureAwait(false);
            var held = 1 + confirmed.Count(yes => yes);
            var required = RequiredCopies(holders.Count);
            var shortfall = held < required
                ? $"Peer {Self.Id} removed {request.Name}, but only {held} of the {required} holders a removal needs confirmed it; it is not acknowledged."
                : null;
            _context.Post(() => _context.AnswerRoute(request, RouteOutcome.Removed, shortfall, copies: held, version: version));
        });
    }
}
