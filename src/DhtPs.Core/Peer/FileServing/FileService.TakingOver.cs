using DhtPs.Core.Protocol;
using DhtPs.Core.Ring;
using DhtPs.Core.Storage;

namespace DhtPs.Core.Peer.FileServing;

/// <summary>
/// SPEC §10, stores and requests that stay correct while a peer joins: a newcomer N between P and S owns the keys in
/// (P, N] that S held until now, so once accepted it asks S for those files and S uploads them, deleting each copy
/// once N confirms it. Until they are all in, N passes a request for a file it lacks on to S instead of saying it is missing.
/// </summary>
internal sealed partial class FileService
{
    /// <summary>The take-over this peer asked for when it joined; null when none is under way.</summary>
    private TakeOverProgress? _takeOver;

    /// <summary>At the newcomer, just accepted with <paramref name="predecessor"/> before it: asks its first successor for its files.</summary>
    public void RequestTakeOver(PeerContact predecessor)
    {
        if (_neighborhood.FirstSuccessor is not { } successor || successor.Id == Self.Id)
            return;
        var progress = new TakeOverProgress(successor, _context.Time.GetUtcNow());
        _takeOver = progress; // Before the offer arrives: the first upload may overtake it.
        _context.Ask(successor, new TakeOverRequest { Sender = Self, IdBits = Space.Bits, Predecessor = predecessor }, reply =>
        {
            if (_takeOver != progress)
                return;
            if (reply.Message is TakeOverOffer offer)
            {
                progress.Offered(offer.Files, _context.Time.GetUtcNow());
                return;
            }
            _takeOver = null;
            _context.Raise(DhtEventKind.FileTransferFailed, $"Peer {successor.Id} hands over no files: " +
                (reply.Failure?.Message ?? (reply.Message as ErrorResponse)?.Reason ?? "unexpected answer"), successor.Id);
        });
    }

    /// <summary>At the successor: offers the newcomer the files whose keys it now owns, and uploads them off the logical thread.</summary>
    public Message HandleTakeOverRequest(TakeOverRequest request)
    {
        if (_context.Status is not PeerStatus.Running)
            return Refuse(ErrorCode.NotRunning, $"Peer {Self.Id} is {_context.Status} and hands over no files.");
        var newcomer = request.Sender;
        if (_neighborhood.FirstPredecessor is { } first && first.Id != newcomer.Id && !Space.InOpen(newcomer.Id, first.Id, Self.Id))
            return Refuse(ErrorCode.Invalid, $"Peer {newcomer.Id} does not lie between Peer {first.Id} and Peer {Self.Id}: none of Peer {Self.Id}'s keys are its.");
        string[] names = MayHoldFiles
            ? [.. Files.Names().Where(name => IsNowOwnedBy(FileKey.Of(name, Space), newcomer.Id, request.Predecessor.Id))]
            : [];
        if (names.Length > 0)
            _context.RunInBackground(() => HandOffAsync(newcomer, names, UploadPurpose.TakeOver));
        return new TakeOverOffer { Sender = Self, IdBits = Space.Bits, Files = names.Length };
    }

    /// <summary>A key in (the newcomer's predecessor, the newcomer], and never one of this peer's own range (newcomer, this].</summary>
    private bool IsNowOwnedBy(ulong key, ulong newcomer, ulong newcomersPredecessor) =>
        Space.InHalfOpen(key, newcomersPredecessor, newcomer) && !Space.InHalfOpen(key, newcomer, Self.Id);

    /// <summary>The successor a take-over still brings files from, if one is pending.</summary>
    private PeerContact? TakingOverFrom() =>
        _takeOver is { } progress && progress.Pending(_context.Time.GetUtcNow(), _options.TransferIdleTimeout) ? progress.From : null;
}
